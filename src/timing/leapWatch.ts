/*
 * Leap seconds as the receiver announces them. chrony's SOCK protocol takes a
 * leap flag with every sample (1 insert, 2 delete), and chrony acts on it
 * only on the last day of June or December; a receiver knows of a leap
 * months ahead (GPS broadcasts it). So the flag is set on every sample of the
 * last UTC day before an announced event, and on none before that day (the
 * week before a leap is not the day of it). u-blox announces it in
 * UBX-NAV-TIMELS: the change (+1/−1) and the seconds to the event, with
 * validity bits; NMEA has no announcement (chrony's leap second list covers
 * those receivers).
 *
 * It also keeps the receiver's count of leap seconds (GPS − UTC), which the
 * leap second list is checked against (timing/leapSecondList.ts).
 */
import type { LeapSecondReport } from "../gnss/receiverReports.js";

const DAY_S = 86_400;

export interface LeapAnnouncement {
  kind: "insert" | "delete";
  /** POSIX second at which the UTC day holding the leap second ends (the 00:00:00 after it). */
  dayEndS: number;
  /** Which constellation told the receiver. */
  source: string;
}

export class LeapWatch {
  private announced: LeapAnnouncement | undefined;
  /** GPS − UTC, s, as the receiver last said with its valid bit set. */
  gpsMinusUtcS: number | undefined;

  /** One NAV-TIMELS, heard in the epoch of `utcS` (the receiver's own second). */
  observe(r: LeapSecondReport, utcS: number): void {
    if (r.currentLs !== undefined) this.gpsMinusUtcS = r.currentLs;
    // A receiver that knows its UTC parameters and names no source of a change has no event ahead (an announcement withdrawn).
    if (r.changeSource === "none" && r.currentLs !== undefined) this.announced = undefined;
    if (r.secondsToEvent === undefined || r.change === undefined) return;
    if (r.change === 0 || r.secondsToEvent < 0) {
      // No event ahead (none announced, or the last one is past).
      this.announced = undefined;
      return;
    }
    // The event is the leap second at the end of a UTC day; seconds to it count from this epoch.
    const eventS = utcS + r.secondsToEvent;
    const dayEndS = Math.round(eventS / DAY_S) * DAY_S;
    this.announced = { kind: r.change > 0 ? "insert" : "delete", dayEndS, source: r.changeSource };
  }

  /** The leap flag for a sample of second `utcS`: set on the last UTC day before the event only. */
  leapFor(utcS: number): 0 | 1 | 2 {
    const a = this.announced;
    if (!a || utcS >= a.dayEndS || utcS < a.dayEndS - DAY_S) return 0;
    return a.kind === "insert" ? 1 : 2;
  }

  /** The announced event still ahead of `utcS`, if any. */
  pending(utcS: number): LeapAnnouncement | undefined {
    return this.announced && utcS < this.announced.dayEndS ? this.announced : undefined;
  }
}
