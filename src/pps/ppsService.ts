/*
 * The pulse side of the box: pulse sources in, second association, labelled
 * samples out to the PPS sinks, states and counters for the status. The
 * kernel source is the one labelled when both exist; the GPIO watch then only
 * cross-checks it.
 */
import type { Epoch } from "../gnss/epoch.js";
import type { Clock } from "../hal/clock.js";
import type { PulseEdge, PulseSource } from "../hal/pulseSource.js";
import type { Logger } from "../log/logger.js";
import type { RefclockSink } from "../refclock/sink.js";
import type { PpsStatus } from "../status/contract.js";
import { sampleOffsetS, type TimeSample } from "../timing/sample.js";
import { instantToUs } from "../hal/instant.js";
import type { EdgeDirection } from "../timing/edgeDirection.js";
import { SawtoothMeter } from "../timing/qErrBook.js";
import { SecondAssociator, type EdgeMode } from "../timing/secondAssociator.js";
import type { GateVerdict } from "../timing/timeGate.js";
import { isoSecond } from "../timing/utc.js";
import { PulseCrossCheck } from "./pulseCrossCheck.js";

/** Kernel stamps sit on the grid to a few µs; 5 ms leaves room for a host clock 500 ppm off over 10 s. */
const KERNEL_GRID_S = 0.005;
/** User-space stamps carry the event loop's latency. */
const USER_GRID_S = 0.02;

export interface PpsOptions {
  edge: EdgeMode;
  /** With auto: the direction's check against a verified clock (timing/edgeDirection.ts). */
  direction?: EdgeDirection;
  /** The quantisation error (ps) the receiver announced for the pulse of this UTC second, once; undefined when none. */
  qErrFor?: (utcSecond: number) => number | undefined;
  holdoverS: number;
  /** Whether someone records the service's stream (clear edges are then read too). */
  recording: () => boolean;
  /** Wraps the pulse sources' callbacks so an exception in the association is caught and counted (the service's FaultLog). */
  guard?: <A extends unknown[]>(where: string, fn: (...args: A) => void) => (...args: A) => void;
}

interface Watched {
  source: PulseSource;
  problem: string | null;
}

export class PpsService {
  readonly associator: SecondAssociator;
  private readonly watched: Watched[] = [];
  private readonly crossCheck: PulseCrossCheck | undefined;
  private stopTick: (() => void) | undefined;

  private readonly primary: Watched;
  /** Observers of the primary source's edges as they arrive (the capture tap). */
  private readonly sawtooth = new SawtoothMeter();
  private qErrApplied = 0;
  readonly edgeListeners: Array<(kind: "assert" | "clear", e: PulseEdge) => void> = [];

  constructor(
    primary: PulseSource,
    secondary: PulseSource | undefined,
    readonly sinks: readonly RefclockSink[],
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: PpsOptions,
  ) {
    this.primary = { source: primary, problem: null };
    this.watched = secondary ? [this.primary, { source: secondary, problem: null }] : [this.primary];
    this.crossCheck = secondary ? new PulseCrossCheck(log) : undefined;
    this.associator = new SecondAssociator(
      { edge: opts.edge, holdoverS: opts.holdoverS, gridToleranceS: primary.stamping === "kernel" ? KERNEL_GRID_S : USER_GRID_S, ...(opts.direction ? { direction: opts.direction } : {}) },
      (s, how) => this.deliver(s, how),
      (s, prev) => {
        const line = `pps: ${s.state} (was ${prev.state}): ${s.detail}`;
        if (s.state === "locked") log.info(line);
        else log.warn(line);
      },
    );
  }

  start(): void {
    const guard = this.opts.guard ?? ((_where, fn) => fn);
    for (const w of this.watched) {
      const isPrimary = w === this.primary;
      w.source.start({
        edge: guard("pulse edge", (e: PulseEdge) => {
          if (isPrimary) {
            for (const l of this.edgeListeners) l("assert", e);
            this.associator.edge(e);
          }
          if (this.crossCheck) isPrimary ? this.crossCheck.kernelEdge(e.at) : this.crossCheck.gpioEdge(e.at);
        }),
        clearEdge: (e) => {
          if (isPrimary) for (const l of this.edgeListeners) l("clear", e);
        },
        clearWanted: () => isPrimary && this.opts.recording(),
        caughtUp: guard("pulse association", (us: number) => {
          if (isPrimary) this.associator.caughtUp(us);
        }),
        problem: (detail) => {
          w.problem = detail ?? null;
          if (detail) this.log.warn(`pps: ${w.source.name}: ${detail}`);
          else this.log.info(`pps: ${w.source.name}: reading edges`);
        },
      });
    }
    this.stopTick = this.clock.every(
      1000,
      guard("pulse state", () => {
        const now = this.clock.realtimeUs();
        this.associator.tick(now);
        this.crossCheck?.sweep(now);
      }),
    );
  }

  /** The time core's verdict on an epoch: the words that label the pulses. */
  verdict(v: GateVerdict, e: Epoch): void {
    // The pulses judge the receiver's progress themselves: an epoch refused only for its read time still names its second.
    if (v.ok) this.associator.epoch(e.startRxUs, { ok: true, utc: v.sample.utcSecond, leap: v.sample.leap });
    else if (v.trusted) this.associator.epoch(e.startRxUs, { ok: true, utc: v.trusted.utc, leap: v.trusted.leap });
    else this.associator.epoch(e.startRxUs, { ok: false, reason: v.reason, detail: v.detail });
  }

  deviceLost(): void {
    this.associator.reset();
  }

  /** The system clock was stepped (see timing/clockSteps.ts). */
  clockStepped(stepUs: number): void {
    this.associator.clockStepped(stepUs, this.clock.realtimeUs());
  }

  stop(): void {
    this.stopTick?.();
    for (const w of this.watched) w.source.stop();
    for (const s of this.sinks) s.close();
  }

  status(): PpsStatus {
    const a = this.associator;
    const last = a.lastSample;
    const iso = (us: number): string | null => (us ? new Date(us / 1000).toISOString() : null);
    return {
      state: a.state.state,
      detail: a.state.detail,
      since: iso(a.state.sinceUs),
      edgeMode: this.opts.edge,
      edge: a.direction.status(),
      qErr: this.qErrApplied === 0 ? null : this.qErrStatus(),
      refusing: a.refusing,
      sources: this.watched.map((w) => ({ name: w.source.name, stamping: w.source.stamping, problem: w.problem, jitterUs: w.source.jitterUs?.() ?? null })),
      delayMs: a.delay ? a.delay.meanS * 1000 : null,
      delayJitterMs: a.delay ? a.delay.jitterS * 1000 : null,
      counts: { ...a.counts },
      refused: { ...a.refused },
      lastUtc: last ? isoSecond(last.utcSecond) : null,
      lastEdgeAt: last ? iso(instantToUs(last.local)) : null,
      lastPulseAt: iso(a.lastEdgeUs),
      lastOffsetS: last ? sampleOffsetS(last) : null,
      crossCheck: this.crossCheck?.status() ?? null,
      recentEdges: a.recent.list(),
      sinks: Object.fromEntries(this.sinks.map((s) => [s.name, s.status()])),
    };
  }

  private qErrStatus(): PpsStatus["qErr"] {
    const r = this.sawtooth.report();
    return { applied: this.qErrApplied, window: r.samples, spreadBeforeNs: r.beforeNs.spread, spreadAfterNs: r.afterNs.spread };
  }

  private deliver(sample: TimeSample, how: "words" | "count"): void {
    if (how === "count") this.log.debug(`pps: ${isoSecond(sample.utcSecond)} labelled by count (holdover)`);
    const out = this.corrected(sample);
    for (const s of this.sinks) s.deliver(out);
  }

  /**
   * The edge as the receiver says it really fell: its stamp less the
   * quantisation error TIM-TP announced for this very second (timing/qErrBook.ts),
   * or as stamped when none was announced.
   */
  private corrected(sample: TimeSample): TimeSample {
    const qPs = this.opts.qErrFor?.(sample.utcSecond);
    if (qPs === undefined) return sample;
    const stampNs = (sample.local.sec - sample.utcSecond) * 1e9 + sample.local.nsec;
    this.sawtooth.add(stampNs, qPs);
    this.qErrApplied += 1;
    const ns = sample.local.nsec - Math.round(qPs / 1000);
    const carry = Math.floor(ns / 1e9);
    return { ...sample, local: { sec: sample.local.sec + carry, nsec: ns - carry * 1e9 } };
  }
}
