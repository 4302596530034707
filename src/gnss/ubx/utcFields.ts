import type { CivilDate, TimeOfDay } from "../report.js";

/**
 * UBX gives UTC as whole fields plus a signed `nano` correction (−1e9..1e9):
 * 05:06:24 with nano −192599 is 05:06:23.999807. The correction is applied so
 * the time of day carries the true fraction; a negative one borrows from the
 * second (and, at 00:00:00, from the previous day).
 */
export function ubxUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, nano: number): { date: CivilDate; timeOfDay: TimeOfDay } {
  const micros = Math.round(nano / 1000);
  if (micros >= 0 && micros < 1e6) {
    return { date: { year, month, day }, timeOfDay: { hour, minute, second, micros } };
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) + Math.floor(micros / 1e6) * 1000;
  const d = new Date(ms);
  return {
    date: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
    timeOfDay: { hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), micros: ((micros % 1e6) + 1e6) % 1e6 },
  };
}
