/*
 * Grouping reports into epochs, one per navigation solution (one second).
 *
 * Receivers send a burst of sentences per solution, in an order of their
 * own: u-blox starts with RMC, MediaTek with GGA, some send GSV only every
 * fifth second, multi-constellation receivers repeat GSA/GSV per talker.
 * The boundary is therefore found from content, not order:
 *  - a report whose time of day (or UBX iTOW) differs from the epoch's opens
 *    a new epoch;
 *  - a report with no time (GSV, GSA, TXT) opens one only after a silence
 *    longer than QUIET_GAP, which a burst never contains;
 *  - times that differ by less than SAME_EPOCH_US are the same solution:
 *    u-blox prints NAV-PVT with its clock bias (…22.000256) beside RMC's
 *    22.00, and 5 Hz receivers are 200 ms apart;
 *  - a second sentence of a once-per-epoch kind (the same talker's RMC, GGA,
 *    ZDA, GNS, GLL, or a UBX NAV message) opens a new epoch even when it has
 *    no time yet (an RMC with empty fields during a cold start);
 *  - reports from different talkers with the same time merge, so a receiver
 *    sending GNRMC and GPRMC yields one epoch and one sample.
 * A GSV group (one talker and signal, "message m of n") reaches the epoch
 * only when its last message has arrived in order: a group cut by a lost
 * line or the start of a capture would otherwise pass for a sky with fewer
 * satellites.
 * The time is handed on as soon as it is complete (date, time of day, a
 * validity verdict and the fix state), usually at the first sentence, so the
 * sample is not delayed by the rest of the burst.
 */
import type { Epoch } from "./epoch.js";
import type { GnssReport, SatelliteReport, TimeOfDay } from "./report.js";

export const QUIET_GAP_US = 350_000;
/** Bounds on what one epoch collects: ~130 GNSS satellites exist, at most a few signals each are reported. */
export const MAX_EPOCH_SATELLITES = 256;
const MAX_USED_LISTS = 16;
/** GSV groups being collected at once: talkers × signals of one receiver stay well below this. */
const MAX_GSV_GROUPS = 32;
export const SAME_EPOCH_US = 50_000;

const ONCE_PER_EPOCH_TYPES = new Set(["RMC", "GGA", "ZDA", "GNS", "GLL"]);
/** By the report's source ("GNRMC", "UBX-NAV-PVT"): looked up, not matched by a regular expression, as every report passes here. */
const oncePerEpoch = (source: string): boolean => ONCE_PER_EPOCH_TYPES.has(source.slice(-3)) || source.startsWith("UBX-NAV-");

export interface EpochListener {
  /** The epoch's UTC time is known: decide on it now. Called at most once per epoch. */
  timeReady(epoch: Epoch): void;
  /** The epoch is over (next one began, or flush); timeDecided says whether timeReady ran. */
  closed(epoch: Epoch, timeDecided: boolean): void;
}

const todUs = (t: TimeOfDay): number => ((t.hour * 60 + t.minute) * 60 + t.second) * 1e6 + t.micros;
const DAY_US = 86_400e6;

/** Same solution: within SAME_EPOCH_US of each other, also across midnight. */
export function sameEpochTime(a: TimeOfDay, b: TimeOfDay): boolean {
  const d = Math.abs(todUs(a) - todUs(b));
  return Math.min(d, DAY_US - d) < SAME_EPOCH_US;
}

export class EpochAssembler {
  private current: Epoch | undefined;
  private decided = false;
  private lastRxUs = 0;
  /** GSV groups in progress: the views so far and the message number expected next. */
  private readonly gsvGroups = new Map<string, { views: SatelliteReport[]; next: number }>();

  constructor(private readonly listener: EpochListener) {}

  add(report: GnssReport, rxUs: number): void {
    const cur = this.current;
    if (!cur || this.startsNewEpoch(cur, report, rxUs)) {
      this.flush();
      this.current = { startRxUs: rxUs, satellitesSeen: {}, sources: [], satellites: [], satellitesComplete: false, used: [] };
      this.decided = false;
    }
    this.lastRxUs = rxUs;
    this.merge(this.current!, report);
    if (!this.decided && this.isReady(this.current!)) {
      this.decided = true;
      this.listener.timeReady(this.current!);
    }
  }

  /** Closes the open epoch (end of input, device lost, idle timeout). */
  flush(): void {
    if (!this.current) return;
    const epoch = this.current;
    this.current = undefined;
    this.listener.closed(epoch, this.decided);
  }

  /** Realtime µs of the last report, so the owner can close an epoch on silence. */
  get lastReportRxUs(): number {
    return this.lastRxUs;
  }

  private startsNewEpoch(cur: Epoch, r: GnssReport, rxUs: number): boolean {
    if (r.timeOfDay && cur.timeOfDay && !sameEpochTime(r.timeOfDay, cur.timeOfDay)) return true;
    if (r.gpsTowMs !== undefined && cur.gpsTowMs !== undefined && r.gpsTowMs !== cur.gpsTowMs) return true;
    if (oncePerEpoch(r.source) && cur.sources.includes(r.source)) return true;
    const quiet = rxUs - this.lastRxUs > QUIET_GAP_US;
    return quiet && rxUs !== 0;
  }

  private merge(e: Epoch, r: GnssReport): void {
    e.sources.push(r.source);
    if (r.timeOfDay && !e.timeOfDay) e.timeOfDay = r.timeOfDay;
    if (r.gpsTowMs !== undefined && e.gpsTowMs === undefined) e.gpsTowMs = r.gpsTowMs;
    if (r.date && r.timeOfDay) {
      // First dated source wins; a later one that disagrees makes the epoch untrustworthy.
      if (!e.date) {
        e.date = r.date;
        e.timeSource = r.source;
      } else if (e.date.year !== r.date.year || e.date.month !== r.date.month || e.date.day !== r.date.day) {
        e.timeValid = false;
      }
    }
    if (r.timeValid !== undefined) e.timeValid = e.timeValid === false ? false : r.timeValid;
    if (r.utcVouched !== undefined) e.utcVouched = e.utcVouched === false ? false : r.utcVouched;
    if (r.leapSecond) e.leapSecond = r.leapSecond;
    if (r.fixMode !== undefined) e.fixMode = r.fixMode;
    if (r.satellitesUsed !== undefined) e.satellitesUsed = r.satellitesUsed;
    if (r.satellitesSeen) e.satellitesSeen[r.satellitesSeen.system] = r.satellitesSeen.count;
    if (r.leapSeconds !== undefined) e.leapSeconds = r.leapSeconds;
    this.mergeSky(e, r);
  }

  /** NAV-SAT's complete list replaces GSV pieces (a receiver sending both describes one sky twice). */
  private mergeSky(e: Epoch, r: GnssReport): void {
    const sats = r.satellites;
    if (sats?.complete) {
      e.satellites = sats.views.slice(0, MAX_EPOCH_SATELLITES);
      e.satellitesComplete = true;
    } else if (sats?.group && !e.satellitesComplete) {
      const done = this.collectGsv(sats.group, sats.views);
      if (done) e.satellites.push(...done.slice(0, MAX_EPOCH_SATELLITES - e.satellites.length));
    }
    if (r.used && e.used.length < MAX_USED_LISTS) e.used.push(r.used);
    if (r.dop) e.dop = { ...e.dop, ...r.dop };
    if (r.position && !e.position) e.position = r.position;
  }

  /** The group's views once its last message arrives in order; undefined until then, or when a message went missing. */
  private collectGsv(g: { key: string; message: number; total: number }, views: readonly SatelliteReport[]): SatelliteReport[] | undefined {
    if (g.message === 1 && (this.gsvGroups.has(g.key) || this.gsvGroups.size < MAX_GSV_GROUPS)) this.gsvGroups.set(g.key, { views: [], next: 1 });
    const pending = this.gsvGroups.get(g.key);
    if (!pending) return undefined;
    if (g.message !== pending.next || pending.views.length >= MAX_EPOCH_SATELLITES) {
      this.gsvGroups.delete(g.key);
      return undefined;
    }
    pending.views.push(...views);
    pending.next += 1;
    if (g.message < g.total) return undefined;
    this.gsvGroups.delete(g.key);
    return pending.views;
  }

  /** ZDA and NAV-TIMEGPS carry no fix state: the epoch waits for GGA/GSA/NAV-STATUS to say whether there is a fix. */
  private isReady(e: Epoch): boolean {
    return e.date !== undefined && e.timeOfDay !== undefined && e.fixMode !== undefined;
  }
}
