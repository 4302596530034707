/*
 * One UBX frame (checksum already verified by the framer) in, one report or
 * a named reason out. Only the navigation messages that carry time, fix, DOP
 * and the satellites in view, and the monitor messages that carry the
 * antenna's state and the receiver's identity, are decoded; the rest (RAW,
 * SVINFO, other MON, ...) are counted as unsupported.
 */
import { rejected, type Decoded } from "../report.js";
import { decodeMonHw, decodeMonRf } from "./monHw.js";
import { decodeMonVer } from "./monVer.js";
import { decodeNavDop } from "./navDop.js";
import { decodeNavPvt } from "./navPvt.js";
import { decodeNavSat } from "./navSat.js";
import { decodeNavSol, decodeNavStatus } from "./navStatus.js";
import { decodeNavTimeGps } from "./navTimeGps.js";
import { decodeNavTimeUtc } from "./navTimeUtc.js";

const DECODERS: Record<number, (payload: Buffer) => Decoded> = {
  0x0107: decodeNavPvt,
  0x0121: decodeNavTimeUtc,
  0x0120: decodeNavTimeGps,
  0x0103: decodeNavStatus,
  0x0106: decodeNavSol,
  0x0104: decodeNavDop,
  0x0135: decodeNavSat,
  0x0a04: decodeMonVer,
  0x0a09: decodeMonHw,
  0x0a38: decodeMonRf,
};

export function ubxName(msgClass: number, msgId: number): string {
  return `UBX-${msgClass.toString(16).padStart(2, "0")}-${msgId.toString(16).padStart(2, "0")}`;
}

export function decodeUbx(msgClass: number, msgId: number, payload: Buffer): Decoded {
  const decoder = DECODERS[(msgClass << 8) | msgId];
  if (!decoder) return rejected("unsupported-sentence", ubxName(msgClass, msgId));
  return decoder(payload);
}
