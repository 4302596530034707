/*
 * ZDA — Time and date.
 *         1         2  3  4    5  6
 *  $--ZDA,hhmmss.ss,dd,mm,yyyy,zh,zm*hh
 * A four-digit year and no validity flag: ZDA says what the receiver's clock
 * reads, fix or not, so its trust comes from the fix sentences of the same
 * epoch (GGA, GNS, GSA).
 */
import { decoded, rejected, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";
import { parseZdaDate, readTimeField } from "./utcFields.js";

export function decodeZda(s: Sentence): Decoded {
  const source = s.talker + "ZDA";
  const [time = "", day = "", month = "", year = ""] = s.fields;
  const read = readTimeField(source, time);
  if (!read.ok) return read.rejection;
  const { timeOfDay } = read;
  if (!timeOfDay) return decoded({ source });
  if (day === "" && month === "" && year === "") return decoded({ source, timeOfDay });
  const date = parseZdaDate(day, month, year);
  if (!date) return rejected("bad-date-field", `${source} date ${JSON.stringify([day, month, year].join(","))} is not dd,mm,yyyy`);
  return decoded({ source, timeOfDay, date });
}
