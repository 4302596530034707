/*
 * Second association: which UTC second does each pulse edge mark?
 *
 * The receiver says the time in words (NMEA/UBX) some time after or before
 * the edge it belongs to. Hand-tuned `offset 0.35` lines break when the baud
 * rate or sentence set changes; here the delay from edge to the first byte of
 * the epoch is measured on every second, learned, and checked:
 *   - an epoch is paired with the one edge whose delay matches the learned
 *     one; no match, or two, and the edge stays unlabelled;
 *   - a delay near 0 or 1 s is refused: stamping jitter could put the data on
 *     either side of an edge, and the label would be a second off;
 *   - a delay that wanders is refused until it has been steady again;
 *   - receivers that send the time *before* their edge are configured
 *     (pps.edge before) or caught: in auto mode an edge whose label is a
 *     whole second away from the host clock is refused, not guessed at.
 * When the words stop but the pulse goes on, edges on the one-second grid
 * keep their count for a bounded holdover, never across a UTC midnight
 * (where a leap second could sit). Only epochs the time gate accepted are
 * used, so the date checks of the time core apply to every label.
 */
import type { PulseEdge } from "../hal/pulseSource.js";
import { isoInstant as iso, RecentEdges } from "./recentEdges.js";
import type { TimeSample } from "./sample.js";
import { diffS, instantToUs, type Instant } from "../hal/instant.js";
import { isoSecond } from "./utc.js";

export type EdgeMode = "auto" | "after" | "before";

export type PpsStateName = "no-pulse" | "pulse-without-time" | "locked" | "holdover";

export type AssociationReject =
  | "learning-delay"
  | "ambiguous-delay"
  | "unstable-delay"
  | "delay-changed"
  | "no-edge"
  | "time-refused"
  | "time-precedes-pulse"
  | "spurious-edge"
  | "holdover-expired"
  | "holdover-midnight";

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
}

/** Delays are learned from this many epochs in a row before the first label. */
export const LEARN_EPOCHS = 4;
/** Learned delays match within this; also the largest spread that counts as steady. */
export const DELAY_TOLERANCE_S = 0.03;
/** A delay closer than this to 0 or 1 s cannot say which edge it follows. */
export const AMBIGUITY_MARGIN_S = 0.03;
/** Epochs in a row that miss the learned delay before it is learned again. */
const RELEARN_AFTER = 3;
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
  /** Learned edge-to-data delay (after) or data-to-edge lead (before), s. */
  delay: { meanS: number; jitterS: number } | undefined;
  lastSample: TimeSample | undefined;
  /** The last edges and what became of each, for the status and `stratum1ctl pps`. */
  readonly recent = new RecentEdges();

  private readonly orientation: "after" | "before";
  private edges: HeldEdge[] = [];
  private lastRawEdge: Instant | undefined;
  private gridEdge: Instant | undefined;
  private lastSeq: number | undefined;
  private pending: PendingEpoch[] = [];
  private learning: number[] = [];
  private misses = 0;
  /** The receiver's last word: when, and whether the time gate accepted it. Counting starts only from silence after an accepted one. */
  private lastVerdict = { us: 0, ok: false };
  private lastLabel: { edge: Instant; utc: number; atUs: number } | undefined;
  private lastConfirmed: { utc: number; us: number } | undefined;
  /** Realtime µs of the last edge of any kind (0: none yet). */
  lastEdgeUs = 0;
  private everLocked = false;
  private lastReason: { reason: AssociationReject; detail: string } = { reason: "learning-delay", detail: "no epoch yet" };

  constructor(
    private readonly opts: AssociatorOptions,
    private readonly emit: (s: TimeSample, how: "words" | "count") => void,
    private readonly changed: (s: PpsState, previous: PpsState) => void,
  ) {
    this.orientation = opts.edge === "before" ? "before" : "after";
  }

  /** The learned delay as the NMEA sample should be corrected by: local time of the edge = first byte − this (µs). */
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

  /** An epoch the time gate judged: accepted epochs name a second; a refused one stops any counting until an accepted one. */
  epoch(rxUs: number, verdict: { ok: true; utc: number; leap: 0 | 1 | 2 } | { ok: false; reason: string; detail: string }): void {
    this.lastVerdict = { us: rxUs, ok: verdict.ok };
    if (verdict.ok) {
      this.pending.push({ utc: verdict.utc, rxUs, leap: verdict.leap });
      return;
    }
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

  /** The serial device went away: its epochs in flight say nothing more. */
  reset(): void {
    this.pending = [];
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
    if (!this.delay) {
      this.learn(Math.min(...delays.map((x) => x.d)), weighed);
      if (!this.delay) return;
    }
    const { meanS } = this.delay;
    const matches = delays.filter((x) => Math.abs(x.d - meanS) <= DELAY_TOLERANCE_S);
    if (matches.length !== 1) {
      this.misses += 1;
      const seen = delays.map((x) => `${(x.d * 1000).toFixed(1)} ms`).join(", ");
      if (this.misses >= RELEARN_AFTER) {
        this.delay = undefined;
        this.learning = [];
      }
      this.refuse(
        "delay-changed",
        `epoch of ${isoSecond(p.utc)} came ${seen} from the pulse, not the learned ${(meanS * 1000).toFixed(1)} ms${this.misses >= RELEARN_AFTER ? "; learning again" : ""}`,
        weighed,
      );
      return;
    }
    const m = matches[0]!;
    this.misses = 0;
    const err = Math.abs(m.d - meanS);
    this.delay = { meanS: meanS + (m.d - meanS) / 8, jitterS: this.delay.jitterS + (err - this.delay.jitterS) / 8 };
    this.label(m.h, p.utc, p.leap, "words");
  }

  private learn(d: number, edges: readonly number[]): void {
    this.learning.push(d);
    if (this.learning.length > LEARN_EPOCHS) this.learning.shift();
    const lo = Math.min(...this.learning);
    const hi = Math.max(...this.learning);
    if (d < AMBIGUITY_MARGIN_S || d > 1 - AMBIGUITY_MARGIN_S) {
      this.learning = [];
      this.refuse(
        "ambiguous-delay",
        `the time arrives ${(d * 1000).toFixed(1)} ms ${this.orientation === "after" ? "after" : "before"} an edge, too close to a pulse to tell which second it names: change the receiver's output (sentence set, baud rate) so it arrives at least ${AMBIGUITY_MARGIN_S * 1000} ms away from the pulse`,
        edges,
      );
      return;
    }
    if (hi - lo > DELAY_TOLERANCE_S) {
      this.refuse(
        "unstable-delay",
        `the delay from pulse to time wanders (${(lo * 1000).toFixed(1)} to ${(hi * 1000).toFixed(1)} ms): a receiver with an irregular output, or a sentence set that changes per second`,
        edges,
      );
      return;
    }
    if (this.learning.length < LEARN_EPOCHS) {
      this.refuse("learning-delay", `measuring the delay from pulse to time (${this.learning.length}/${LEARN_EPOCHS} epochs, ${(d * 1000).toFixed(1)} ms)`, edges);
      return;
    }
    const sorted = [...this.learning].sort((a, b) => a - b);
    this.delay = { meanS: sorted[Math.floor(sorted.length / 2)]!, jitterS: (hi - lo) / 2 };
  }

  private label(h: HeldEdge, utc: number, leap: 0 | 1 | 2, how: "words" | "count"): void {
    if (h.labelled) return;
    // A label a whole second from the host clock means the time names the other edge; unless told which, refuse.
    const hostErrS = utc - h.at.sec - h.at.nsec / 1e9;
    if (this.opts.edge === "auto" && Math.abs(hostErrS) > 0.7 && Math.abs(hostErrS) < 1.3) {
      this.refuse(
        "time-precedes-pulse",
        `${isoSecond(utc)} would label an edge the host clock puts at ${iso(h.at)}: the receiver's time seems to name the pulse ${hostErrS > 0 ? "after" : "before"} the one it follows; set pps.edge=${hostErrS > 0 ? "before" : "after"} if the receiver is documented so, or check the host clock`,
        [h.us],
      );
      return;
    }
    h.labelled = true;
    const sample: TimeSample = { local: h.at, reference: { sec: utc, nsec: 0 }, leap, pulse: 0, utcSecond: utc };
    this.lastSample = sample;
    this.lastLabel = { edge: h.at, utc, atUs: Math.max(h.us, this.lastLabel?.atUs ?? 0) };
    if (how === "words") {
      this.lastConfirmed = { utc, us: h.us };
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
      this.label(h, utc, 0, "count");
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
