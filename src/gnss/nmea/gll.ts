/*
 * GLL — Position and time.
 *         1       2 3        4 5         6 7
 *  $--GLL,llll.ll,a,yyyyy.yy,a,hhmmss.ss,A,m*hh
 *  6 status A valid / V invalid; 7 mode as RMC. Only the time of day is
 *  used, to mark the epoch.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";
import { parseTimeOfDay } from "./utcFields.js";

export function decodeGll(s: Sentence): Decoded {
  const source = s.talker + "GLL";
  const timeField = s.fields[4] ?? "";
  if (timeField === "") return decoded({ source });
  const timeOfDay = parseTimeOfDay(timeField);
  if (!timeOfDay) return rejected("bad-time-field", `${source} time ${JSON.stringify(timeField)} is not hhmmss[.ss]`);
  return decoded({ source, timeOfDay });
}
