/*
 * GNS — Fix data, multi-constellation (NMEA 3.0+).
 *         1         2       3 4        5 6    7  8   9   10  11  12  13
 *  $--GNS,hhmmss.ss,llll.ll,a,yyyyy.yy,a,c--c,nn,x.x,x.x,x.x,x.x,x.x,s*hh
 *  6 mode, one letter per constellation: N no fix, A autonomous,
 *    D differential, E estimated, R/F RTK, M manual, S simulator
 *  7 satellites used
 */
import { decoded, rejected, type Decoded, type FixMode } from "../report.js";
import { isDigits } from "./digits.js";
import type { Sentence } from "./sentence.js";
import { readTimeField } from "./utcFields.js";

function gnsFixMode(mode: string): FixMode {
  if (/[ADPRF]/.test(mode)) return "3d";
  if (mode.includes("E")) return "dead-reckoning";
  return "none";
}

export function decodeGns(s: Sentence): Decoded {
  const source = s.talker + "GNS";
  const time = readTimeField(source, s.fields[0] ?? "");
  if (!time.ok) return time.rejection;
  const { timeOfDay } = time;
  const usedField = s.fields[6] ?? "";
  if (usedField !== "" && !isDigits(usedField, 1, 2)) return rejected("malformed-sentence", `${source}: satellites used ${JSON.stringify(usedField)} is not a count`);
  return decoded({
    source,
    ...(timeOfDay ? { timeOfDay } : {}),
    fixMode: gnsFixMode(s.fields[5] ?? ""),
    ...(usedField !== "" ? { satellitesUsed: Number(usedField) } : {}),
  });
}
