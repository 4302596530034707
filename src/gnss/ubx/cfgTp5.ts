/*
 * UBX-CFG-TP5 (0x06 0x31), version 1, 32 bytes (UBX-13003221 "UBX-CFG-TP5
 * Time Pulse Parameters"):
 *   0 tpIdx U1 (0 TIMEPULSE, 1 TIMEPULSE2) | 1 version U1 (1) | 2 reserved1 U1[2]
 *   4 antCableDelay I2 ns | 6 rfGroupDelay I2 ns (read-only)
 *   8 freqPeriod U4        Hz, or µs when isFreq is 0   — used while not locked
 *  12 freqPeriodLock U4    Hz or µs                     — used while locked to GNSS
 *  16 pulseLenRatio U4     µs when isLength, else 2^-32 — while not locked
 *  20 pulseLenRatioLock U4                              — while locked
 *  24 userConfigDelay I4 ns
 *  28 flags X4: bit 0 active, 1 lockGnssFreq, 2 lockedOtherSet, 3 isFreq,
 *     4 isLength, 5 alignToTow, 6 polarity (1: rising edge at the top of
 *     the second), bits 7–10 gridUtcGnss (0 UTC, 1 GPS, 2 GLONASS, 3 BeiDou,
 *     4 Galileo), bits 11–13 syncMode (timing receivers)
 * Poll: 1 byte, tpIdx. "Only while locked" is lockedOtherSet with a zero
 * pulse length in the unlocked set: the receiver then gives no pulse until
 * it has a fix (the unlocked set would otherwise free-run on the TCXO).
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export interface Tp5Settings {
  tpIdx: number;
  antCableDelayNs: number;
  rfGroupDelayNs: number;
  /** µs (isFreq false) or Hz, while not locked. */
  freqPeriod: number;
  freqPeriodLock: number;
  /** µs (isLength) or 2^-32 of the period, while not locked. */
  pulseLenRatio: number;
  pulseLenRatioLock: number;
  userConfigDelayNs: number;
  active: boolean;
  lockGnssFreq: boolean;
  lockedOtherSet: boolean;
  isFreq: boolean;
  isLength: boolean;
  alignToTow: boolean;
  polarityRising: boolean;
  /** 0 UTC, 1 GPS, 2 GLONASS, 3 BeiDou, 4 Galileo. */
  grid: number;
  syncMode: number;
}

const bit = (b: boolean, n: number): number => (b ? 1 << n : 0);

export function cfgTp5Payload(s: Tp5Settings): Buffer {
  const p = Buffer.alloc(32);
  p.writeUInt8(s.tpIdx, 0);
  p.writeUInt8(1, 1);
  p.writeInt16LE(s.antCableDelayNs, 4);
  p.writeInt16LE(s.rfGroupDelayNs, 6);
  p.writeUInt32LE(s.freqPeriod, 8);
  p.writeUInt32LE(s.freqPeriodLock, 12);
  p.writeUInt32LE(s.pulseLenRatio, 16);
  p.writeUInt32LE(s.pulseLenRatioLock, 20);
  p.writeInt32LE(s.userConfigDelayNs, 24);
  const flags =
    bit(s.active, 0) |
    bit(s.lockGnssFreq, 1) |
    bit(s.lockedOtherSet, 2) |
    bit(s.isFreq, 3) |
    bit(s.isLength, 4) |
    bit(s.alignToTow, 5) |
    bit(s.polarityRising, 6) |
    ((s.grid & 0xf) << 7) |
    ((s.syncMode & 7) << 11);
  p.writeUInt32LE(flags >>> 0, 28);
  return p;
}

export const cfgTp5 = (s: Tp5Settings): Buffer => encodeUbx(UBX.CFG_TP5.msgClass, UBX.CFG_TP5.msgId, cfgTp5Payload(s));
export const cfgTp5Poll = (tpIdx: number): Buffer => encodeUbx(UBX.CFG_TP5.msgClass, UBX.CFG_TP5.msgId, Buffer.from([tpIdx]));

export function parseCfgTp5(p: Buffer): Tp5Settings | string {
  if (p.length !== 32) return `CFG-TP5 payload ${p.length} bytes, expected 32`;
  const f = p.readUInt32LE(28);
  const on = (n: number): boolean => (f & (1 << n)) !== 0;
  return {
    tpIdx: p.readUInt8(0),
    antCableDelayNs: p.readInt16LE(4),
    rfGroupDelayNs: p.readInt16LE(6),
    freqPeriod: p.readUInt32LE(8),
    freqPeriodLock: p.readUInt32LE(12),
    pulseLenRatio: p.readUInt32LE(16),
    pulseLenRatioLock: p.readUInt32LE(20),
    userConfigDelayNs: p.readInt32LE(24),
    active: on(0),
    lockGnssFreq: on(1),
    lockedOtherSet: on(2),
    isFreq: on(3),
    isLength: on(4),
    alignToTow: on(5),
    polarityRising: on(6),
    grid: (f >>> 7) & 0xf,
    syncMode: (f >>> 11) & 7,
  };
}

export function decodeCfgTp5(p: Buffer): Decoded {
  const s = parseCfgTp5(p);
  return typeof s === "string" ? rejected("ubx-bad-payload", s) : decoded({ source: "UBX-CFG-TP5", control: { kind: "cfg-tp5", settings: s } });
}
