/*
 * UBX-CFG-NAV5 (0x06 0x24), 36 bytes (UBX-13003221 "UBX-CFG-NAV5 Navigation
 * Engine Settings"):
 *   0 mask X2: bit 0 dyn, 1 minEl, 2 posFixMode, 3 drLim, 4 posMask, 5 timeMask,
 *              6 staticHoldMask, 7 dgpsMask, 8 cnoThreshold, 10 utc
 *   2 dynModel U1: 0 portable, 2 stationary, 3 pedestrian, 4 automotive, 5 sea,
 *                  6–8 airborne <1g/<2g/<4g, 9 wrist
 *   3 fixMode U1 | 4 fixedAlt I4 0.01 m | 8 fixedAltVar U4 0.0001 m²
 *  12 minElev I1 ° | 13 drLimit U1 | 14 pDop U2 0.1 | 16 tDop U2 0.1
 *  18 pAcc U2 m | 20 tAcc U2 m | 22 staticHoldThresh U1 | 23 dgnssTimeout U1
 *  24 cnoThreshNumSVs U1 | 25 cnoThresh U1 | 26 reserved1 U1[2]
 *  28 staticHoldMaxDist U2 m | 30 utcStandard U1 | 31 reserved2 U1[5]
 * Only the fields whose mask bit is set are applied, so the box sends the
 * dynamic model alone and leaves the user's other navigation settings be.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export const DYN_MODEL_STATIONARY = 2;

export interface Nav5Settings {
  mask: number;
  dynModel: number;
  fixMode: number;
  minElevDeg: number;
  utcStandard: number;
}

/** A CFG-NAV5 that changes the dynamic model only (mask bit 0). */
export function cfgNav5DynModelPayload(dynModel: number): Buffer {
  const p = Buffer.alloc(36);
  p.writeUInt16LE(0x0001, 0);
  p.writeUInt8(dynModel, 2);
  return p;
}

export const cfgNav5DynModel = (dynModel: number): Buffer => encodeUbx(UBX.CFG_NAV5.msgClass, UBX.CFG_NAV5.msgId, cfgNav5DynModelPayload(dynModel));

export function parseCfgNav5(p: Buffer): Nav5Settings | string {
  if (p.length !== 36) return `CFG-NAV5 payload ${p.length} bytes, expected 36`;
  return { mask: p.readUInt16LE(0), dynModel: p.readUInt8(2), fixMode: p.readUInt8(3), minElevDeg: p.readInt8(12), utcStandard: p.readUInt8(30) };
}

export function decodeCfgNav5(p: Buffer): Decoded {
  const s = parseCfgNav5(p);
  return typeof s === "string" ? rejected("ubx-bad-payload", s) : decoded({ source: "UBX-CFG-NAV5", control: { kind: "cfg-nav5", settings: s } });
}
