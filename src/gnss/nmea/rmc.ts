/*
 * RMC — Recommended Minimum data; the sentence that carries the date.
 *         1         2 3       4 5        6 7   8   9      10  11 12 13
 *         |         | |       | |        | |   |   |      |   |  |  |
 *  $--RMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,x.x,x.x,ddmmyy,x.x,a, m, s*hh
 *  2: A valid / V receiver warning;  9: date;  12 (NMEA 2.3+): mode
 *  A autonomous, D differential, E estimated (dead reckoning), N not valid,
 *  F/R RTK, M manual, S simulator;  13 (NMEA 4.1+): navigation status.
 * The time is valid only with status A and a mode that is not N, E, M or S
 * (u-blox reports status A with mode E while dead reckoning, MT3339 in
 * simulation): those describe a computed, not a measured, time.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";
import { parseDdmmyy, readTimeField } from "./utcFields.js";

const UNTRUSTED_MODES = new Set(["N", "E", "M", "S"]);

export function decodeRmc(s: Sentence): Decoded {
  const source = s.talker + "RMC";
  const dateField = s.fields[8] ?? "";
  const time = readTimeField(source, s.fields[0] ?? "");
  if (!time.ok) return time.rejection;
  const { timeOfDay } = time;
  if (!timeOfDay) return decoded({ source, timeValid: false, fixMode: "none" });
  if (dateField === "") return decoded({ source, timeOfDay, timeValid: false });
  const date = parseDdmmyy(dateField);
  if (!date) return rejected("bad-date-field", `${source} date ${JSON.stringify(dateField)} is not ddmmyy`);
  const mode = s.fields[11] ?? "";
  const timeValid = s.fields[1] === "A" && !UNTRUSTED_MODES.has(mode);
  // A valid RMC implies at least a 2D fix; GGA/GSA later in the epoch refine it.
  const fixMode = mode === "E" ? "dead-reckoning" : timeValid ? "2d" : "none";
  return decoded({ source, timeOfDay, date, timeValid, fixMode });
}
