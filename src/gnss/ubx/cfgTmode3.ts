/*
 * UBX-CFG-TMODE3 (0x06 0x71), 40 bytes: time mode of the high-precision and
 * Gen9 timing receivers (M8P, ZED-F9T; UBX-13003221 "UBX-CFG-TMODE3", kept
 * as a legacy message in the F9 interface descriptions, where CFG-TMODE-*
 * keys replace it):
 *   0 version U1 (0) | 1 reserved1 U1
 *   2 flags X2: bits 0–7 rcvrMode (0 disabled, 1 survey-in, 2 fixed), bit 8 lla
 *   4 ecefXOrLat I4 cm | 8 ecefYOrLon I4 cm | 12 ecefZOrAlt I4 cm
 *  16 ecefXOrLatHP I1 0.1 mm | 17 ecefYOrLonHP I1 | 18 ecefZOrAltHP I1 | 19 reserved2 U1
 *  20 fixedPosAcc U4 0.1 mm | 24 svinMinDur U4 s | 28 svinAccLimit U4 0.1 mm
 *  32 reserved3 U1[8]
 * The position is cm + HP part (−99…99 × 0.1 mm); accuracies are in 0.1 mm,
 * not mm as in TMODE2.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";
import { timeModeCode, timeModeName, type TimeModeName } from "./cfgTmode2.js";

export interface TimeMode3Settings {
  mode: TimeModeName;
  ecefCm: { x: number; y: number; z: number };
  /** The 0.1 mm parts, −99…99. */
  ecefHp: { x: number; y: number; z: number };
  fixedPosAcc01Mm: number;
  svinMinDurS: number;
  svinAccLimit01Mm: number;
}

export function cfgTmode3Payload(s: TimeMode3Settings): Buffer {
  const p = Buffer.alloc(40);
  p.writeUInt8(0, 0);
  p.writeUInt16LE(timeModeCode(s.mode), 2);
  p.writeInt32LE(s.ecefCm.x, 4);
  p.writeInt32LE(s.ecefCm.y, 8);
  p.writeInt32LE(s.ecefCm.z, 12);
  p.writeInt8(s.ecefHp.x, 16);
  p.writeInt8(s.ecefHp.y, 17);
  p.writeInt8(s.ecefHp.z, 18);
  p.writeUInt32LE(s.fixedPosAcc01Mm, 20);
  p.writeUInt32LE(s.svinMinDurS, 24);
  p.writeUInt32LE(s.svinAccLimit01Mm, 28);
  return p;
}

export const cfgTmode3 = (s: TimeMode3Settings): Buffer => encodeUbx(UBX.CFG_TMODE3.msgClass, UBX.CFG_TMODE3.msgId, cfgTmode3Payload(s));

export function parseCfgTmode3(p: Buffer): TimeMode3Settings | string {
  if (p.length !== 40) return `CFG-TMODE3 payload ${p.length} bytes, expected 40`;
  const flags = p.readUInt16LE(2);
  const mode = timeModeName(flags & 0xff);
  if (!mode) return `CFG-TMODE3 rcvrMode ${flags & 0xff} is not 0, 1 or 2`;
  if ((flags & 0x100) !== 0) return "CFG-TMODE3 position given as lat/lon/alt; only ECEF is supported";
  return {
    mode,
    ecefCm: { x: p.readInt32LE(4), y: p.readInt32LE(8), z: p.readInt32LE(12) },
    ecefHp: { x: p.readInt8(16), y: p.readInt8(17), z: p.readInt8(18) },
    fixedPosAcc01Mm: p.readUInt32LE(20),
    svinMinDurS: p.readUInt32LE(24),
    svinAccLimit01Mm: p.readUInt32LE(28),
  };
}

export function decodeCfgTmode3(p: Buffer): Decoded {
  const s = parseCfgTmode3(p);
  return typeof s === "string" ? rejected("ubx-bad-payload", s) : decoded({ source: "UBX-CFG-TMODE3", control: { kind: "cfg-tmode3", settings: s } });
}
