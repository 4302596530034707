/*
 * GLL — Position and time.
 *         1       2 3        4 5         6 7
 *  $--GLL,llll.ll,a,yyyyy.yy,a,hhmmss.ss,A,m*hh
 *  6 status A valid / V invalid; 7 mode as RMC. Only the time of day is
 *  used, to mark the epoch.
 */
import { decoded, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";
import { readTimeField } from "./utcFields.js";

export function decodeGll(s: Sentence): Decoded {
  const source = s.talker + "GLL";
  const time = readTimeField(source, s.fields[4] ?? "");
  if (!time.ok) return time.rejection;
  return decoded({ source, ...(time.timeOfDay ? { timeOfDay: time.timeOfDay } : {}) });
}
