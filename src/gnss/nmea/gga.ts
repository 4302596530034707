/*
 * GGA — Fix data. Its time has no date (never borrow one), so it only marks
 * the epoch and says whether there is a fix.
 *         1         2       3 4        5 6 7  8   9  10 11 12 13  14
 *  $--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,x.x,x.x,M,x.x,M,x.x,xxxx*hh
 *  6 quality: 0 none, 1 GPS, 2 DGPS, 3 PPS, 4 RTK, 5 float RTK,
 *             6 estimated (dead reckoning), 7 manual, 8 simulator
 *  7 satellites used, 8 HDOP, 9 altitude above mean sea level (m)
 */
import { decoded, rejected, type Decoded, type FixMode } from "../report.js";
import { isDigits } from "./digits.js";
import type { Sentence } from "./sentence.js";
import { readPosition } from "./position.js";
import { readTimeField } from "./utcFields.js";

/** Quality 0 none, 7 manual and 8 simulator are no fix; 6 is dead reckoning; 1–5 a measured fix. Anything else is not a quality. */
export function ggaFixMode(quality: string): FixMode | undefined {
  switch (quality) {
    case "0":
    case "7":
    case "8":
      return "none";
    case "6":
      return "dead-reckoning";
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
      return "3d";
    default:
      return undefined;
  }
}

export function decodeGga(s: Sentence): Decoded {
  const source = s.talker + "GGA";
  const time = readTimeField(source, s.fields[0] ?? "");
  if (!time.ok) return time.rejection;
  const { timeOfDay } = time;
  const quality = s.fields[5] ?? "";
  const fixMode = quality === "" ? "none" : ggaFixMode(quality);
  if (!fixMode) return rejected("malformed-sentence", `${source}: fix quality ${JSON.stringify(quality)} is not 0-8`);
  const usedField = s.fields[6] ?? "";
  if (usedField !== "" && !isDigits(usedField, 1, 2)) return rejected("malformed-sentence", `${source}: satellites used ${JSON.stringify(usedField)} is not a count`);
  const fixed = quality !== "" && quality !== "0";
  const position = fixed ? readPosition(s.fields[1] ?? "", s.fields[2] ?? "", s.fields[3] ?? "", s.fields[4] ?? "", s.fields[8]) : undefined;
  return decoded({
    source,
    ...(timeOfDay ? { timeOfDay } : {}),
    fixMode,
    ...(usedField !== "" ? { satellitesUsed: Number(usedField) } : {}),
    ...(position ? { position } : {}),
  });
}
