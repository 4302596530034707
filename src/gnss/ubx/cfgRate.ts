/*
 * UBX-CFG-RATE (0x06 0x08), 6 bytes (UBX-13003221 "UBX-CFG-RATE"):
 *   0 measRate U2 ms | 2 navRate U2 cycles | 4 timeRef U2
 *   timeRef: 0 UTC, 1 GPS, 2 GLONASS, 3 BeiDou, 4 Galileo
 * One solution per second aligned to UTC is what a time server wants: the
 * epoch then names the UTC second its pulse begins.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export interface RateSettings {
  measRateMs: number;
  navRate: number;
  timeRef: number;
}

export function cfgRatePayload(s: RateSettings): Buffer {
  const p = Buffer.alloc(6);
  p.writeUInt16LE(s.measRateMs, 0);
  p.writeUInt16LE(s.navRate, 2);
  p.writeUInt16LE(s.timeRef, 4);
  return p;
}

export const cfgRate = (s: RateSettings): Buffer => encodeUbx(UBX.CFG_RATE.msgClass, UBX.CFG_RATE.msgId, cfgRatePayload(s));

export function parseCfgRate(p: Buffer): RateSettings | string {
  if (p.length !== 6) return `CFG-RATE payload ${p.length} bytes, expected 6`;
  return { measRateMs: p.readUInt16LE(0), navRate: p.readUInt16LE(2), timeRef: p.readUInt16LE(4) };
}

export function decodeCfgRate(p: Buffer): Decoded {
  const s = parseCfgRate(p);
  return typeof s === "string" ? rejected("ubx-bad-payload", s) : decoded({ source: "UBX-CFG-RATE", control: { kind: "cfg-rate", settings: s } });
}
