/*
 * One UBX frame (checksum already verified by the framer) in, one report or
 * a named reason out. Decoded: the navigation messages that carry time, fix,
 * DOP, leap seconds and the satellites in view; the monitor messages that
 * carry the antenna's state, interference and the receiver's identity; the
 * time pulse's announcement (TIM-TP) and survey-in progress; and the
 * replies to the box's own commands (ACK/NAK, polled CFG settings,
 * CFG-VALGET). The rest (RAW, SVINFO, other MON, ...) are counted as
 * unsupported.
 */
import { rejected, type Decoded } from "../report.js";
import { decodeAckAck, decodeAckNak } from "./ack.js";
import { decodeCfgMsg } from "./cfgMsg.js";
import { decodeCfgNav5 } from "./cfgNav5.js";
import { decodeCfgPrt } from "./cfgPrt.js";
import { decodeCfgRate } from "./cfgRate.js";
import { decodeCfgTmode2 } from "./cfgTmode2.js";
import { decodeCfgTmode3 } from "./cfgTmode3.js";
import { decodeCfgTp5 } from "./cfgTp5.js";
import { decodeCfgValGet } from "./cfgVal.js";
import { decodeMonHw, decodeMonRf } from "./monHw.js";
import { decodeMonVer } from "./monVer.js";
import { decodeNavDop } from "./navDop.js";
import { decodeNavPvt } from "./navPvt.js";
import { decodeNavSat } from "./navSat.js";
import { decodeNavSol, decodeNavStatus } from "./navStatus.js";
import { decodeNavTimeGps } from "./navTimeGps.js";
import { decodeNavTimeLs } from "./navTimeLs.js";
import { decodeNavTimeUtc } from "./navTimeUtc.js";
import { decodeNavSvin, decodeTimSvin } from "./surveyIn.js";
import { decodeTimTp } from "./timTp.js";

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
  0x0126: decodeNavTimeLs,
  0x013b: decodeNavSvin,
  0x0d01: decodeTimTp,
  0x0d04: decodeTimSvin,
  0x0500: decodeAckNak,
  0x0501: decodeAckAck,
  0x0600: decodeCfgPrt,
  0x0601: decodeCfgMsg,
  0x0608: decodeCfgRate,
  0x0624: decodeCfgNav5,
  0x0631: decodeCfgTp5,
  0x063d: decodeCfgTmode2,
  0x0671: decodeCfgTmode3,
  0x068b: decodeCfgValGet,
};

export function ubxName(msgClass: number, msgId: number): string {
  return `UBX-${msgClass.toString(16).padStart(2, "0")}-${msgId.toString(16).padStart(2, "0")}`;
}

export function decodeUbx(msgClass: number, msgId: number, payload: Buffer): Decoded {
  const decoder = DECODERS[(msgClass << 8) | msgId];
  if (!decoder) return rejected("unsupported-sentence", ubxName(msgClass, msgId));
  return decoder(payload);
}
