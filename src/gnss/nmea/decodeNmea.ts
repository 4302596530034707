/*
 * One NMEA line in, one report or one named reason out. The decoders read
 * the fields themselves, strictly; should one still throw on a field nobody
 * foresaw, that must not escape to the serial read loop, so every decoder
 * runs inside this guard.
 * Proprietary sentences (PUBX, PMTK, PSTI, ...) other than MediaTek's antenna
 * report, release string and command acknowledgement, and the types a time server has no use for (VTG, GST, GBS, ...),
 * are counted as unsupported, not errors.
 */
import { rejected, type Decoded } from "../report.js";
import { decodeGga } from "./gga.js";
import { decodeGll } from "./gll.js";
import { decodeGns } from "./gns.js";
import { decodeGsa } from "./gsa.js";
import { decodeGsv } from "./gsv.js";
import { decodePgtop } from "./pgtop.js";
import { decodePmtk001 } from "./pmtk001.js";
import { decodePmtk705 } from "./pmtk705.js";
import { decodeRmc } from "./rmc.js";
import { splitSentence, type Sentence } from "./sentence.js";
import { decodeTxt } from "./txt.js";
import { decodeZda } from "./zda.js";

const DECODERS: Record<string, (s: Sentence) => Decoded> = {
  RMC: decodeRmc,
  ZDA: decodeZda,
  GGA: decodeGga,
  GNS: decodeGns,
  GLL: decodeGll,
  GSA: decodeGsa,
  GSV: decodeGsv,
  TXT: decodeTxt,
};

/** Proprietary sentences with something for a time server (antenna state), its operator (the receiver's identity) or its configurator (PMTK001). */
const PROPRIETARY: Record<string, (s: Sentence) => Decoded> = {
  GTOP: decodePgtop,
  MTK705: decodePmtk705,
  MTK001: decodePmtk001,
};

/** `lineXor`: see splitSentence. */
export function decodeNmea(line: string, lineXor?: number): Decoded {
  const split = splitSentence(line, lineXor);
  if (!split.ok) return split;
  const s = split.sentence;
  const decoder = s.talker === "P" ? PROPRIETARY[s.type] : DECODERS[s.type];
  if (!decoder) return rejected("unsupported-sentence", `${s.talker === "P" ? "P" + s.type : s.talker + s.type}`);
  try {
    return decoder(s);
  } catch (err) {
    return rejected("malformed-sentence", `${s.talker}${s.type}: ${(err as Error).message}`);
  }
}
