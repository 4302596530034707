import type { CivilDate, TimeOfDay } from "../gnss/report.js";

/**
 * POSIX seconds of a UTC date and time of day. An inserted leap second
 * (23:59:60) maps onto 23:59:59, as the Linux clock shows it: the POSIX scale
 * has no 86400th second.
 */
export function posixSeconds(date: CivilDate, tod: TimeOfDay): number {
  const second = Math.min(tod.second, 59);
  return Date.UTC(date.year, date.month - 1, date.day, tod.hour, tod.minute, second) / 1000;
}

export function isoSecond(posix: number): string {
  return new Date(posix * 1000).toISOString().replace(".000Z", "Z");
}

export const GPS_WEEK_ROLLOVER_S = 1024 * 7 * 86400;
