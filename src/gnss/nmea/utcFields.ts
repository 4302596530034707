/*
 * Strict parsing of NMEA time and date fields. General NMEA libraries
 * (nmea-simple, which an earlier version used) map an empty time to 1970, drops fractions that are not exactly two digits and rolls
 * 23:59:60 into the next minute; for a time server each of those is a wrong
 * second, so the fields that make the UTC second are parsed here.
 *   time: hhmmss[.f+]   date (RMC): ddmmyy   date (ZDA): dd,mm,yyyy
 */
import { rejected, type CivilDate, type Decoded, type TimeOfDay } from "../report.js";
import { isDecimal, isDigits } from "./digits.js";

export function parseTimeOfDay(field: string): TimeOfDay | undefined {
  // hhmmss, then optionally '.' and 1 to 6 digits of fraction.
  if (!isDecimal(field, { whole: 6 }) || field.length > 13) return undefined;
  const hour = Number(field.slice(0, 2));
  const minute = Number(field.slice(2, 4));
  const second = Number(field.slice(4, 6));
  const frac = field.slice(7);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  if (second === 60 && !(hour === 23 && minute === 59)) return undefined;
  return { hour, minute, second, micros: frac === "" ? 0 : Number(frac.padEnd(6, "0")) };
}

/**
 * RMC's ddmmyy. yy 80–99 is 19yy (GPS began in 1980), the rest 20yy, as gpsd
 * reads it: a receiver with the week-rollover bug then shows up as the 1999
 * date it really sends, which the time gate rejects by name.
 */
export function parseDdmmyy(field: string): CivilDate | undefined {
  if (!isDigits(field, 6, 6)) return undefined;
  const yy = Number(field.slice(4, 6));
  return checkDate({ day: Number(field.slice(0, 2)), month: Number(field.slice(2, 4)), year: yy >= 80 ? 1900 + yy : 2000 + yy });
}

export function parseZdaDate(day: string, month: string, year: string): CivilDate | undefined {
  if (!isDigits(day, 1, 2) || !isDigits(month, 1, 2) || !isDigits(year, 4, 4)) return undefined;
  return checkDate({ day: Number(day), month: Number(month), year: Number(year) });
}

function checkDate(d: CivilDate): CivilDate | undefined {
  if (d.month < 1 || d.month > 12 || d.day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
  return d.day <= daysInMonth ? d : undefined;
}

/** An optional time-of-day field: empty is "no time yet" (cold start), unreadable is a named rejection. */
export function readTimeField(source: string, field: string): { ok: true; timeOfDay?: TimeOfDay } | { ok: false; rejection: Decoded } {
  if (field === "") return { ok: true };
  const timeOfDay = parseTimeOfDay(field);
  if (!timeOfDay) return { ok: false, rejection: rejected("bad-time-field", `${source} time ${JSON.stringify(field)} is not hhmmss[.ss]`) };
  return { ok: true, timeOfDay };
}
