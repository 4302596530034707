/*
 * The IERS/NIST leap second list as tzdata ships it
 * (/usr/share/zoneinfo/leap-seconds.list): the leap seconds so far and, in a
 * line starting "#@", when the list stops being trustworthy (it is valid
 * only until the next announcement could have been made). chrony 4.6 reads
 * this file (leapseclist); chrony 4.3 reads the same data from right/UTC.
 * Either way an out-of-date list cannot know of the next leap second, so the
 * box says so, and it checks the list against the receiver, which hears the
 * announcements from the sky:
 *   - expired: the list's "#@" date is past;
 *   - the receiver announces a leap second the list (valid at that date)
 *     lacks, or counts another GPS − UTC than the list gives for now.
 * Lines:  "<NTP seconds> <TAI − UTC> # <date>"; NTP seconds count from 1900.
 */

/** Seconds from 1900-01-01 (NTP) to 1970-01-01 (POSIX). */
const NTP_TO_POSIX_S = 2_208_988_800;
/** GPS time was TAI − 19 s when it began: GPS − UTC = (TAI − UTC) − 19. */
const TAI_MINUS_GPS_S = 19;

export interface LeapSecondList {
  /** POSIX second after which the list is out of date. */
  expiresS: number;
  /** Each entry: from this POSIX second on, TAI − UTC is this. */
  entries: Array<{ fromS: number; taiMinusUtcS: number }>;
}

/** Parses the file; undefined with the reason when it is not a leap second list. */
export function parseLeapSecondList(text: string): LeapSecondList | { problem: string } {
  let expiresS: number | undefined;
  const entries: LeapSecondList["entries"] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const expiry = /^#@\s+(\d+)/.exec(line);
    if (expiry) expiresS = Number(expiry[1]) - NTP_TO_POSIX_S;
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(\d+)\s+(\d+)/.exec(line);
    if (!m) return { problem: `'${line.slice(0, 40)}' is not '<NTP seconds> <TAI-UTC>'` };
    entries.push({ fromS: Number(m[1]) - NTP_TO_POSIX_S, taiMinusUtcS: Number(m[2]) });
  }
  if (expiresS === undefined) return { problem: "no '#@' expiry line" };
  if (entries.length === 0) return { problem: "no leap second entries" };
  entries.sort((a, b) => a.fromS - b.fromS);
  return { expiresS, entries };
}

/** GPS − UTC at POSIX second `s` according to the list. */
export function gpsMinusUtcAt(list: LeapSecondList, s: number): number {
  let tai = list.entries[0]!.taiMinusUtcS;
  for (const e of list.entries) if (e.fromS <= s) tai = e.taiMinusUtcS;
  return tai - TAI_MINUS_GPS_S;
}

/** Whether the list has a leap second ending the UTC day that ends at `dayEndS`. */
export function listsLeapAt(list: LeapSecondList, dayEndS: number): boolean {
  return list.entries.some((e) => e.fromS === dayEndS);
}

/** The first leap second the list has after `s` and within `withinS` of it. */
export function nextLeapWithin(list: LeapSecondList, s: number, withinS: number): { kind: "insert" | "delete"; dayEndS: number } | undefined {
  for (let i = 1; i < list.entries.length; i++) {
    const e = list.entries[i]!;
    if (e.fromS <= s) continue;
    if (e.fromS - s > withinS) return undefined;
    return { kind: e.taiMinusUtcS > list.entries[i - 1]!.taiMinusUtcS ? "insert" : "delete", dayEndS: e.fromS };
  }
  return undefined;
}
