/*
 * GGA — Fix data. Its time has no date (never borrow one), so it only marks
 * the epoch and says whether there is a fix.
 *         1         2       3 4        5 6 7  8   9  10 11 12 13  14
 *  $--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,x.x,x.x,M,x.x,M,x.x,xxxx*hh
 *  6 quality: 0 none, 1 GPS, 2 DGPS, 3 PPS, 4 RTK, 5 float RTK,
 *             6 estimated (dead reckoning), 7 manual, 8 simulator
 *  7 satellites used, 8 HDOP, 9 altitude above mean sea level (m)
 */
import { parseNmeaSentence, type GGAPacket } from "nmea-simple";
import { decoded, type Decoded, type FixMode } from "../report.js";
import type { Sentence } from "./sentence.js";
import { readPosition } from "./position.js";
import { readTimeField } from "./utcFields.js";

export function ggaFixMode(fixType: GGAPacket["fixType"]): FixMode {
  switch (fixType) {
    case "none":
    case "manual":
    case "simulation":
      return "none";
    case "estimated":
      return "dead-reckoning";
    default:
      return "3d";
  }
}

export function decodeGga(s: Sentence): Decoded {
  const packet = parseNmeaSentence(s.raw) as GGAPacket;
  const source = s.talker + "GGA";
  const time = readTimeField(source, s.fields[0] ?? "");
  if (!time.ok) return time.rejection;
  const { timeOfDay } = time;
  const usedField = s.fields[6] ?? "";
  const fixed = (s.fields[5] ?? "") !== "" && (s.fields[5] ?? "") !== "0";
  const position = fixed ? readPosition(s.fields[1] ?? "", s.fields[2] ?? "", s.fields[3] ?? "", s.fields[4] ?? "", s.fields[8]) : undefined;
  return decoded({
    source,
    ...(timeOfDay ? { timeOfDay } : {}),
    fixMode: (s.fields[5] ?? "") === "" ? "none" : ggaFixMode(packet.fixType),
    ...(usedField !== "" ? { satellitesUsed: packet.satellitesInView } : {}),
    ...(position ? { position } : {}),
  });
}
