/*
 * Second association: which UTC second does each pulse edge mark?
 *
 * The receiver says the time in words (NMEA/UBX) some time after or before
 * the edge it belongs to, and when depends on the receiver: u-blox sends its
 * first sentence a steady 100-500 ms after the pulse, SiRF, some MediaTek
 * firmware and USB receivers anywhere from tens to hundreds of milliseconds,
 * different every second. Jitter is not ambiguity, so the words are placed by
 * their position in the second, not by a learned delay:
 *   - an epoch names the one edge whose distance to its first byte lies
 *     inside the second (after: the last edge before the words; before: the
 *     first edge after them); nothing there, and the edge is not labelled;
 *   - words within AMBIGUITY_MARGIN_S of an edge are refused: stamping
 *     latency could put them on either side of it, and the label would be a
 *     second off;
 *   - the receiver's count of seconds must agree with the pulse's: between
 *     two epochs the receiver's time moves by exactly the number of edges
 *     between the edges they name (an inserted leap second, 23:59:60, which
 *     is never labelled, accounted for). A contradiction is refused and
 *     counting starts again; SETTLE_EPOCHS agreeing epochs in a row are needed
 *     before the first label, so one misplaced epoch (a read held up by a busy
 *     host) can never label an edge;
 *   - receivers that send the time *before* their edge are configured
 *     (pps.edge before) or caught: in auto mode an edge whose label is a
 *     whole second away from the host clock is refused, not guessed at.
 * The delay from edge to words is still measured (its mean and jitter are
 * shown, and the mean takes the serial delay out of the NMEA samples), but it
 * decides nothing. When the words stop but the pulse goes on, edges on the
 * one-second grid keep their count for a bounded holdover, never across a
 * UTC midnight (where a leap second could sit). Only epochs whose time the
 * time gate trusts are used, so the date checks of the time core apply to
 * every label.
 */
import { EdgeDirection } from "./edgeDirection.js";
import type { PulseEdge } from "../hal/pulseSource.js";
import { isoInstant as iso, RecentEdges } from "./recentEdges.js";
import type { TimeSample } from "./sample.js";
import { diffS, instantToUs, type Instant } from "../hal/instant.js";
import { isoSecond } from "./utc.js";

export type EdgeMode = "auto" | "after" | "before";

export type PpsStateName = "no-pulse" | "pulse-without-time" | "locked" | "holdover";

export type AssociationReject = "settling" | "contradiction" | "ambiguous-delay" | "no-edge" | "time-refused" | "time-precedes-pulse" | "spurious-edge" | "holdover-expired" | "holdover-midnight";

export interface PpsState {
  state: PpsStateName;
  detail: string;
  sinceUs: number;
}

export interface AssociatorOptions {
  /** auto: data follows its edge (u-blox, MediaTek, SiRF, Quectel, Garmin), checked against the host clock. */
  edge: EdgeMode;
  /** Seconds of labelling by count after the receiver's words stop; 0 to stop at once. */
  holdoverS: number;
  /** Tolerance on the 1 s edge grid: µs for kernel stamps, ms for user-space stamps. */
  gridToleranceS: number;
  /** With auto: which pulse the receiver's time names, assumed or checked against a verified clock (default: assumed, never checked). */
  direction?: EdgeDirection;
}

/** Epochs in a row whose seconds agree with the pulses between them before the first label (and after a contradiction). */
export const SETTLE_EPOCHS = 3;
/**
 * Words closer than this to an edge cannot say which second they follow: a
 * serial read is stamped when the loop gets to it, a USB receiver's bytes
 * wait for the next poll of the bus (up to 16 ms).
 */
export const AMBIGUITY_MARGIN_S = 0.04;
/** The delay's mean and jitter follow the last few epochs (weight 1/DELAY_SMOOTHING each). */
const DELAY_SMOOTHING = 8;
/** Without an edge or a label for this long, the pulse or the lock is gone. */
const LOST_AFTER_US = 2_500_000;
/** How long the words may lag before an edge is labelled by count. */
const FLYWHEEL_WAIT_US = 1_500_000;
const KEEP_US = 5_000_000;

interface HeldEdge {
  at: Instant;
  us: number;
  labelled: boolean;
  /** An accepted epoch was weighed against this edge, or counting already refused it: no count may label it. */
  spoken: boolean;
}

interface PendingEpoch {
  utc: number;
  rxUs: number;
  leap: 0 | 1 | 2;
  /** An inserted leap second (23:59:60) passed just before this epoch. */
  afterLeapSecond: boolean;
}

export interface AssociatorCounts {
  edges: number;
  labelled: number;
  labelledByCount: number;
  missedEdges: number;
  spuriousEdges: number;
}

export class SecondAssociator {
  readonly counts: AssociatorCounts = { edges: 0, labelled: 0, labelledByCount: 0, missedEdges: 0, spuriousEdges: 0 };
  readonly refused: Partial<Record<AssociationReject, number>> = {};
  state: PpsState = { state: "no-pulse", detail: "no pulse edge seen yet", sinceUs: 0 };
  /** Measured edge-to-data delay (after) or data-to-edge lead (before), s: mean and mean deviation over the last epochs. */
  delay: { meanS: number; jitterS: number } | undefined;
  lastSample: TimeSample | undefined;
  private readonly firstDelays: number[] = [];
  /** The last edges and what became of each, for the status and `stratum1ctl pps`. */
  readonly recent = new RecentEdges();

  private readonly orientation: "after" | "before";
  private edges: HeldEdge[] = [];
  private lastRawEdge: Instant | undefined;
  private gridEdge: Instant | undefined;
  private lastSeq: number | undefined;
  private pending: PendingEpoch[] = [];
  /** The last epoch paired with an edge, and how many in a row agreed with the pulses between them. */
  private chain: { edge: Instant; utc: number; streak: number } | undefined;
  private leapSecondPassed = false;
  /** The receiver's last word: when, and whether the time gate accepted it. Counting starts only from silence after an accepted one. */
  private lastVerdict = { us: 0, ok: false };
  private lastLabel: { edge: Instant; utc: number; atUs: number } | undefined;
  private lastConfirmed: { utc: number; us: number; leap: 0 | 1 | 2 } | undefined;
  /** Realtime µs of the last edge of any kind (0: none yet). */
  lastEdgeUs = 0;
  private everLocked = false;
  readonly direction: EdgeDirection;
  private lastReason: { reason: AssociationReject; detail: string } = { reason: "settling", detail: "no epoch yet" };

  constructor(
    private readonly opts: AssociatorOptions,
    private readonly emit: (s: TimeSample, how: "words" | "count") => void,
    private readonly changed: (s: PpsState, previous: PpsState) => void,
  ) {
    this.orientation = opts.edge === "before" ? "before" : "after";
    this.direction = opts.direction ?? new EdgeDirection({ mode: opts.edge, clockVerified: () => false, receiver: () => "the receiver", log: () => undefined });
  }

  /** The measured delay as the NMEA sample should be corrected by: local time of the edge = first byte − this (µs). */
  arrivalDelayUs(): number | undefined {
    if (!this.delay || this.state.state !== "locked") return undefined;
    return (this.orientation === "after" ? this.delay.meanS : -this.delay.meanS) * 1e6;
  }

  edge(e: PulseEdge): void {
    this.counts.edges += 1;
    const us = instantToUs(e.at);
    this.lastEdgeUs = us;
    if (this.lastSeq !== undefined && e.seq > this.lastSeq + 1) this.counts.missedEdges += e.seq - this.lastSeq - 1;
    this.lastSeq = e.seq;
    this.recent.add(e.at, us, e.seq);
    if (!this.onGrid(e.at)) {
      this.counts.spuriousEdges += 1;
      this.refuse("spurious-edge", `edge at ${iso(e.at)} is off the one-second grid of the previous edges: noise on the PPS line?`, [us]);
      return;
    }
    this.edges.push({ at: e.at, us, labelled: false, spoken: false });
    this.edges = this.edges.filter((h) => us - h.us < KEEP_US);
  }

  /**
   * An epoch the time gate judged: one whose time it trusts names a second
   * (whatever the gate made of its progress against the host clock: the
   * pulses judge that here); a refused one stops any counting until a
   * trusted one.
   */
  epoch(rxUs: number, verdict: { ok: true; utc: number; leap: 0 | 1 | 2 } | { ok: false; reason: string; detail: string }): void {
    this.lastVerdict = { us: rxUs, ok: verdict.ok };
    if (verdict.ok) {
      this.pending.push({ utc: verdict.utc, rxUs, leap: verdict.leap, afterLeapSecond: this.leapSecondPassed });
      this.leapSecondPassed = false;
      return;
    }
    // 23:59:60 names an edge no POSIX second may label; the seconds after it count one edge more.
    if (verdict.reason === "leap-second") this.leapSecondPassed = true;
    const heard = this.edges.filter((h) => this.inWindow(h.us, rxUs)).map((h) => h.us);
    this.refuse("time-refused", `the time core refused the epoch (${verdict.reason}: ${verdict.detail})`, heard);
  }

  caughtUp(realtimeUs: number): void {
    const windowS = this.orientation === "after" ? 0 : 1;
    while (this.pending.length > 0) {
      const p = this.pending[0]!;
      if (realtimeUs < p.rxUs + windowS * 1e6) break;
      this.pending.shift();
      this.associate(p);
    }
    this.flywheel(realtimeUs);
  }

  /** Re-evaluates the state from the passage of time (call about once a second). */
  tick(nowUs: number): void {
    this.recent.settle(nowUs, FLYWHEEL_WAIT_US + 1_000_000);
    const pulseAlive = nowUs - this.lastEdgeUs < LOST_AFTER_US;
    const labelAlive = this.lastLabel !== undefined && nowUs - this.lastLabel.atUs < LOST_AFTER_US;
    if (labelAlive && this.lastConfirmed && nowUs - this.lastConfirmed.us < LOST_AFTER_US + 1e6) {
      this.setState("locked", `pulse labelled from the receiver's time, data ${this.delayText()}`, nowUs);
    } else if (labelAlive) {
      const left = Math.max(0, this.opts.holdoverS - (nowUs - (this.lastConfirmed?.us ?? nowUs)) / 1e6);
      this.setState("holdover", `receiver time lost; pulses labelled by count, ${Math.round(left)} s of holdover left`, nowUs);
    } else if (this.everLocked) {
      this.setState("holdover", pulseAlive ? `time lost: ${this.lastReason.detail}` : "pulse lost: no edge for more than 2 s (antenna, receiver, or PPS wire)", nowUs);
    } else if (pulseAlive) {
      this.setState("pulse-without-time", `${this.lastReason.reason}: ${this.lastReason.detail}`, nowUs);
    } else {
      this.setState("no-pulse", this.counts.edges === 0 ? "no pulse edge seen yet: is the PPS wire on the configured pin?" : "no edge for more than 2 s", nowUs);
    }
  }

  /** The serial device went away: its epochs in flight say nothing more, and the next receiver may be another. */
  reset(): void {
    this.pending = [];
    this.direction.reset();
  }

  /** The reason pulses are being refused, while they are; null once labelled. */
  get refusing(): AssociationReject | null {
    return this.state.state === "locked" ? null : this.lastReason.reason;
  }

  /**
   * The system clock was stepped: stamps from before it cannot be paired
   * with stamps after it, nor counted on the old grid. The learned delay
   * stands (it is the receiver's, measured within one timescale); the
   * pairing starts over and must settle again before a pulse is labelled.
   */
  clockStepped(stepUs: number, nowUs: number): void {
    this.pending = [];
    this.edges = [];
    this.lastRawEdge = undefined;
    this.gridEdge = undefined;
    this.chain = undefined;
    this.lastLabel = undefined;
    this.lastConfirmed = undefined;
    this.lastVerdict = { us: 0, ok: false };
    this.lastReason = { reason: "settling", detail: `the system clock was stepped by ${(stepUs / 1e6).toFixed(3)} s: pairing pulses and words again` };
    if (this.state.state === "locked" || this.state.state === "holdover") this.setState("pulse-without-time", `settling: ${this.lastReason.detail}`, nowUs);
  }

  private associate(p: PendingEpoch): void {
    const candidates = this.edges.filter((h) => this.inWindow(h.us, p.rxUs));
    for (const h of candidates) h.spoken = true;
    const delays = candidates.map((h) => ({ h, d: this.delayOf(h.us, p.rxUs) }));
    for (const { h, d } of delays) this.recent.delay(h.us, d);
    const weighed = candidates.map((h) => h.us);
    if (delays.length === 0) {
      this.refuse("no-edge", `no pulse edge ${this.orientation === "after" ? "in the second before" : "in the second after"} the epoch of ${isoSecond(p.utc)}`);
      return;
    }
    // Edges on the grid are a second apart: two inside one second means the words sit on an edge.
    const { h, d } = delays.reduce((a, b) => (a.d < b.d ? a : b));
    // The pairing so far stands: these words only cannot be placed, and the next are judged against it.
    if (delays.length > 1 || d < AMBIGUITY_MARGIN_S || d > 1 - AMBIGUITY_MARGIN_S) {
      this.refuse(
        "ambiguous-delay",
        `the time of ${isoSecond(p.utc)} arrives ${(d * 1000).toFixed(1)} ms ${this.orientation === "after" ? "after" : "before"} an edge, too close to a pulse to tell which second it names: change the receiver's output (sentence set, baud rate) so it arrives at least ${AMBIGUITY_MARGIN_S * 1000} ms away from the pulse`,
        weighed,
      );
      return;
    }
    this.measure(d);
    const prev = this.chain;
    if (prev) {
      const pulses = Math.round(diffS(h.at, prev.edge));
      const said = p.utc - prev.utc;
      if (said !== pulses && !(p.afterLeapSecond && said === pulses - 1)) {
        this.chain = { edge: h.at, utc: p.utc, streak: 1 };
        this.refuse(
          "contradiction",
          `the receiver's time moved ${said} s (${isoSecond(prev.utc)} -> ${isoSecond(p.utc)}) while ${pulses} pulse${pulses === 1 ? "" : "s"} passed: a receiver whose time jumped, or words that reached the service late; counting again`,
          weighed,
        );
        return;
      }
    }
    const streak = (prev?.streak ?? 0) + 1;
    this.chain = { edge: h.at, utc: p.utc, streak };
    if (streak < SETTLE_EPOCHS) {
      this.refuse(
        "settling",
        `checking the receiver's seconds against the pulses (${streak}/${SETTLE_EPOCHS} epochs agree, the time ${(d * 1000).toFixed(1)} ms ${this.orientation === "after" ? "after" : "before"} its edge)`,
        weighed,
      );
      return;
    }
    this.label(h, p.utc, p.leap, "words");
  }

  private measure(d: number): void {
    // A read held up by a busy host is only ever late, never early: the first epochs start the mean at their fastest, so one stall at start-up cannot shift the NMEA samples for the many seconds the average takes to forget it.
    if (!this.delay || this.firstDelays.length < SETTLE_EPOCHS) {
      this.firstDelays.push(d);
      this.delay = { meanS: Math.min(...this.firstDelays), jitterS: 0 };
      return;
    }
    const { meanS, jitterS } = this.delay;
    this.delay = { meanS: meanS + (d - meanS) / DELAY_SMOOTHING, jitterS: jitterS + (Math.abs(d - meanS) - jitterS) / DELAY_SMOOTHING };
  }

  private label(h: HeldEdge, utc: number, leap: 0 | 1 | 2, how: "words" | "count"): void {
    if (h.labelled) return;
    // With auto, a verified clock a whole second away means the time names the other edge (timing/edgeDirection.ts).
    const direction = this.direction.judge(utc - h.at.sec - h.at.nsec / 1e9);
    if (!direction.ok) {
      this.refuse("time-precedes-pulse", direction.detail, [h.us]);
      return;
    }
    h.labelled = true;
    const sample: TimeSample = { local: h.at, reference: { sec: utc, nsec: 0 }, leap, pulse: 0, utcSecond: utc };
    this.lastSample = sample;
    this.lastLabel = { edge: h.at, utc, atUs: Math.max(h.us, this.lastLabel?.atUs ?? 0) };
    if (how === "words") {
      this.lastConfirmed = { utc, us: h.us, leap };
      this.everLocked = true;
      this.counts.labelled += 1;
    } else {
      this.counts.labelledByCount += 1;
    }
    this.recent.labelled(h.us, isoSecond(utc), how === "count");
    this.emit(sample, how);
  }

  private flywheel(nowUs: number): void {
    const last = this.lastLabel;
    const confirmed = this.lastConfirmed;
    // A receiver whose last word disowned its time (lost fix, invalid) does not vouch for the pulses after it.
    if (!last || !confirmed || this.opts.holdoverS <= 0 || !this.lastVerdict.ok) return;
    for (const h of this.edges) {
      if (h.labelled || h.spoken || nowUs - h.us < FLYWHEEL_WAIT_US || h.us <= instantToUs(last.edge)) continue;
      // Words came after this edge was due: the receiver is talking, just not about it; the words decide.
      if (this.lastVerdict.us > h.us) continue;
      const span = diffS(h.at, last.edge);
      const k = Math.round(span);
      if (Math.abs(span - k) > this.opts.gridToleranceS) continue;
      const utc = last.utc + k;
      if ((h.us - confirmed.us) / 1e6 > this.opts.holdoverS) {
        h.spoken = true;
        this.refuse("holdover-expired", `no time from the receiver for more than pps.holdover=${this.opts.holdoverS} s`, [h.us]);
        continue;
      }
      if (Math.floor(utc / 86400) !== Math.floor(confirmed.utc / 86400)) {
        h.spoken = true;
        this.refuse("holdover-midnight", "pulses are not counted across a UTC midnight without the receiver's time: a leap second may sit there", [h.us]);
        continue;
      }
      // The same UTC day as the last word (checked above): the leap second it announced for this day's end still holds.
      this.label(h, utc, confirmed.leap, "count");
    }
  }

  /** Edges a whole number of seconds from the grid pass; a run of two on a new grid moves the grid (the old one was noise). */
  private onGrid(at: Instant): boolean {
    const prevRaw = this.lastRawEdge;
    this.lastRawEdge = at;
    const grid = this.gridEdge;
    const fits = (ref: Instant | undefined): boolean => {
      if (!ref) return false;
      const span = diffS(at, ref);
      return span > 0.5 && Math.abs(span - Math.round(span)) <= this.opts.gridToleranceS;
    };
    if (!grid || fits(grid) || diffS(at, grid) > 10 || (prevRaw !== grid && fits(prevRaw))) {
      this.gridEdge = at;
      return true;
    }
    return false;
  }

  private inWindow(edgeUs: number, rxUs: number): boolean {
    const d = this.delayOf(edgeUs, rxUs);
    return d > 0 && d < 1;
  }

  private delayOf(edgeUs: number, rxUs: number): number {
    return (this.orientation === "after" ? rxUs - edgeUs : edgeUs - rxUs) / 1e6;
  }

  private delayText(): string {
    if (!this.delay) return "";
    return `${this.orientation === "after" ? "follows" : "precedes"} it by ${(this.delay.meanS * 1000).toFixed(1)} ms`;
  }

  /** Counts the reason; `edges` (µs stamps) are the edges it was about, for the recent-edge list. */
  private refuse(reason: AssociationReject, detail: string, edges: readonly number[] = []): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    this.lastReason = { reason, detail };
    for (const us of edges) this.recent.refused(us, reason, detail);
  }

  private setState(state: PpsStateName, detail: string, nowUs: number): void {
    if (this.state.state === state) {
      this.state.detail = detail;
      return;
    }
    const previous = this.state;
    this.state = { state, detail, sinceUs: nowUs };
    this.changed(this.state, previous);
  }
}
