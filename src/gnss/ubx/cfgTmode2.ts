/*
 * UBX-CFG-TMODE2 (0x06 0x3D), 28 bytes: time mode of the u-blox 8 timing
 * receivers (NEO/LEA-M8T, LEA-M8F; UBX-13003221 "UBX-CFG-TMODE2 Time Mode
 * Settings 2"):
 *   0 timeMode U1: 0 disabled, 1 survey-in, 2 fixed position
 *   1 reserved1 U1 | 2 flags X2: bit 0 lla (position given as lat/lon/alt), bit 1 altInv
 *   4 ecefXOrLat I4 cm (or 1e-7 °) | 8 ecefYOrLon I4 | 12 ecefZOrAlt I4 cm
 *  16 fixedPosAcc U4 mm | 20 svinMinDur U4 s | 24 svinAccLimit U4 mm
 * Survey-in ends when both the minimum time and the accuracy limit are met;
 * the receiver then holds the mean position as if in fixed mode. This box
 * gives positions in ECEF only (no datum, no geoid to get wrong).
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export type TimeModeName = "disabled" | "survey-in" | "fixed";
const MODES: readonly TimeModeName[] = ["disabled", "survey-in", "fixed"];
export const timeModeCode = (m: TimeModeName): number => MODES.indexOf(m);
export const timeModeName = (code: number): TimeModeName | undefined => MODES[code];

export interface TimeMode2Settings {
  mode: TimeModeName;
  /** ECEF position, cm (fixed mode). */
  ecefCm: { x: number; y: number; z: number };
  fixedPosAccMm: number;
  svinMinDurS: number;
  svinAccLimitMm: number;
}

export function cfgTmode2Payload(s: TimeMode2Settings): Buffer {
  const p = Buffer.alloc(28);
  p.writeUInt8(timeModeCode(s.mode), 0);
  p.writeUInt16LE(0, 2);
  p.writeInt32LE(s.ecefCm.x, 4);
  p.writeInt32LE(s.ecefCm.y, 8);
  p.writeInt32LE(s.ecefCm.z, 12);
  p.writeUInt32LE(s.fixedPosAccMm, 16);
  p.writeUInt32LE(s.svinMinDurS, 20);
  p.writeUInt32LE(s.svinAccLimitMm, 24);
  return p;
}

export const cfgTmode2 = (s: TimeMode2Settings): Buffer => encodeUbx(UBX.CFG_TMODE2.msgClass, UBX.CFG_TMODE2.msgId, cfgTmode2Payload(s));

export function parseCfgTmode2(p: Buffer): TimeMode2Settings | string {
  if (p.length !== 28) return `CFG-TMODE2 payload ${p.length} bytes, expected 28`;
  const mode = timeModeName(p.readUInt8(0));
  if (!mode) return `CFG-TMODE2 timeMode ${p.readUInt8(0)} is not 0, 1 or 2`;
  if ((p.readUInt16LE(2) & 1) !== 0) return "CFG-TMODE2 position given as lat/lon/alt; only ECEF is supported";
  return {
    mode,
    ecefCm: { x: p.readInt32LE(4), y: p.readInt32LE(8), z: p.readInt32LE(12) },
    fixedPosAccMm: p.readUInt32LE(16),
    svinMinDurS: p.readUInt32LE(20),
    svinAccLimitMm: p.readUInt32LE(24),
  };
}

export function decodeCfgTmode2(p: Buffer): Decoded {
  const s = parseCfgTmode2(p);
  return typeof s === "string" ? rejected("ubx-bad-payload", s) : decoded({ source: "UBX-CFG-TMODE2", control: { kind: "cfg-tmode2", settings: s } });
}
