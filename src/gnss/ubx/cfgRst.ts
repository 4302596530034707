/*
 * UBX-CFG-RST (0x06 0x04), 4 bytes (UBX-13003221 "UBX-CFG-RST"):
 *   0 navBbrMask X2: what navigation data to clear (0x0000 hot start,
 *                    0x0001 warm, 0xFFFF cold)
 *   2 resetMode U1: 0x00 hardware reset (watchdog) immediately,
 *                   0x01 controlled software reset, 0x02 software reset (GNSS only),
 *                   0x04 hardware reset after shutdown, 0x08 GNSS stop, 0x09 GNSS start
 *   3 reserved1 U1
 * Not acknowledged: the receiver restarts instead. A hardware or full
 * software reset (0x00, 0x01, 0x04) reloads the configuration from BBR and
 * flash, so whatever the box had set in RAM only is gone; GNSS-only resets
 * and stop/start keep it.
 */
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export interface ResetRequest {
  navBbrMask: number;
  resetMode: number;
}

export const RESET_MODE = { hardwareNow: 0x00, software: 0x01, gnssOnly: 0x02, hardwareAfterShutdown: 0x04, gnssStop: 0x08, gnssStart: 0x09 } as const;

export function cfgRstPayload(r: ResetRequest): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16LE(r.navBbrMask, 0);
  p.writeUInt8(r.resetMode, 2);
  return p;
}

export const cfgRst = (r: ResetRequest): Buffer => encodeUbx(UBX.CFG_RST.msgClass, UBX.CFG_RST.msgId, cfgRstPayload(r));

export function parseCfgRst(p: Buffer): ResetRequest | string {
  if (p.length !== 4) return `CFG-RST payload ${p.length} bytes, expected 4`;
  return { navBbrMask: p.readUInt16LE(0), resetMode: p.readUInt8(2) };
}

/** Whether a reset of this mode reloads the configuration (RAM settings lost). */
export const resetReloadsConfig = (resetMode: number): boolean => resetMode === 0x00 || resetMode === 0x01 || resetMode === 0x04;
