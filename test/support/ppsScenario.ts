/*
 * PPS scenarios in virtual time, through the product's real code: NMEA bytes
 * into the TimePipeline, kernel edges into a sysfs-shaped directory read by
 * KernelPpsSysfs, labelled pulses out of PpsService. Each simulated second
 * knows its truth (which UTC second its edge marks), so a test can check
 * every delivered pulse sample against it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { createLogger } from "../../src/log/logger.js";
import { TimePipeline } from "../../src/pipeline/timePipeline.js";
import { KernelPpsSysfs } from "../../src/hal/linux/kernelPpsSysfs.js";
import { PpsService } from "../../src/pps/ppsService.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { Health } from "../../src/status/health.js";
import { instantFromUs, type Instant } from "../../src/hal/instant.js";
import type { EdgeMode, PpsStateName } from "../../src/timing/secondAssociator.js";
import { CollectingSink } from "./offline.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

/** What the receiver's words say for one second: a civil time (second may be 60), or silence. */
export interface Said {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

export interface ScenarioSecond {
  /** The truth: POSIX second this second's edge marks, or null for an inserted leap second. */
  truth: number | null;
  /** True-time µs of the real edge, or null when the pulse is missing (stamped by the host clock when it happens). */
  edgeAt: number | null;
  /** Extra, spurious edges (true-time µs). */
  extraEdgesAt?: number[];
  /** True-time µs at which the words for this second arrive, and what they say; null: silence. */
  words: { atUs: number; said: Said; valid?: boolean } | null;
}

export interface ScenarioResult {
  samples: CollectingSink["samples"];
  nmeaSamples: CollectingSink["samples"];
  states: PpsStateName[];
  service: PpsService;
  /** The service's status just after the last simulated second. */
  atEnd: ReturnType<PpsService["status"]>;
  health: Health;
  logLines: string[];
  /** Every labelled edge whose label is not its truth. */
  wrong: Array<{ local: Instant; label: number; truth: number | "leap-second" | "spurious" | "unknown" }>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function sentencesFor(said: Said, valid = true): string {
  const hms = `${pad(said.h)}${pad(said.mi)}${pad(said.s)}.00`;
  const dmy = `${pad(said.d)}${pad(said.mo)}${pad(said.y % 100)}`;
  const rmc = withChecksum(`$GPRMC,${hms},${valid ? "A" : "V"},4807.03800,N,01131.00000,E,0.012,,${dmy},,,${valid ? "A" : "N"}`);
  const gga = withChecksum(`$GPGGA,${hms},4807.03800,N,01131.00000,E,${valid ? 1 : 0},08,0.9,545.4,M,46.9,M,,`);
  return `${rmc}\r\n${gga}\r\n`;
}

export const civil = (posix: number): Said => {
  const d = new Date(posix * 1000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
};

/**
 * An ordinary run: `count` seconds from `startUtc`, edges on the true
 * second, the words `delayS` after the edge (negative: before it).
 */
export function plainSeconds(startUtc: number, count: number, delayS: number): ScenarioSecond[] {
  return Array.from({ length: count }, (_, i) => {
    const utc = startUtc + i;
    const edgeAt = utc * 1e6;
    // A receiver whose words precede the edge says the time of the edge that follows them.
    return { truth: utc, edgeAt, words: { atUs: edgeAt + delayS * 1e6, said: civil(utc) } };
  });
}

export interface ScenarioOptions {
  edge?: EdgeMode;
  holdoverS?: number;
  /** The host clock is this far ahead of true time (µs), */
  hostErrorUs?: number;
  /** and steps by byUs at true time atUs (a kernel applying a leap second steps back 1 s). */
  hostStep?: { atUs: number; byUs: number };
}

export function runScenario(seconds: ScenarioSecond[], opts: ScenarioOptions = {}): ScenarioResult {
  const dir = mkdtempSync(join(tmpdir(), "s1-pps-"));
  try {
    const kernel = new FakeKernelPps(dir);
    const firstUs = Math.min(...seconds.flatMap((s) => [s.edgeAt ?? Infinity, s.words?.atUs ?? Infinity]));
    const clock = new VirtualClock(firstUs - 2e6);
    clock.hostOffsetUs = opts.hostErrorUs ?? 0;
    const logLines: string[] = [];
    const log = createLogger((l) => logLines.push(l), "debug");
    const sink = new CollectingSink();
    const nmeaSink = new CollectingSink();
    const service = new PpsService(new KernelPpsSysfs(dir, clock), undefined, [sink], clock, log, {
      edge: opts.edge ?? "auto",
      holdoverS: opts.holdoverS ?? 60,
      recording: () => false,
    });
    const health = new Health();
    const pipeline = new TimePipeline(health, [nmeaSink], log, {
      floorS: Date.parse("2020-01-01T00:00:00Z") / 1000,
      settleEpochs: 3,
      nowUs: () => clock.realtimeUs(),
      arrivalDelayUs: () => service.associator.arrivalDelayUs(),
    });
    pipeline.verdictListeners.push((v, e) => service.verdict(v, e));
    const states: PpsStateName[] = [];
    service.start();
    clock.every(1000, () => {
      pipeline.idle(clock.realtimeUs(), 1_500_000);
      const s = service.associator.state.state;
      if (states[states.length - 1] !== s) states.push(s);
    });

    type Ev = { at: number; run: () => void };
    const events: Ev[] = [];
    const truthByEdge = new Map<number, number | "leap-second" | "spurious">();
    // Edges and bytes are stamped by the host clock at the moment they happen, as the kernel and the serial reader do.
    const edge = (at: number, truth: number | "leap-second" | "spurious") =>
      events.push({
        at,
        run: () => {
          const stamp = clock.realtimeUs();
          truthByEdge.set(stamp, truth);
          kernel.assert(instantFromUs(stamp));
        },
      });
    for (const s of seconds) {
      if (s.edgeAt !== null) edge(s.edgeAt, s.truth ?? "leap-second");
      for (const x of s.extraEdgesAt ?? []) edge(x, "spurious");
      const w = s.words;
      if (w) events.push({ at: w.atUs, run: () => pipeline.push(Buffer.from(sentencesFor(w.said, w.valid ?? true)), clock.realtimeUs()) });
    }
    const step = opts.hostStep;
    if (step) events.push({ at: step.atUs, run: () => (clock.hostOffsetUs += step.byUs) });
    events.sort((a, b) => a.at - b.at);
    for (const ev of events) {
      clock.advanceTo(ev.at);
      ev.run();
    }
    // Long enough for the last epoch to be decided, short of "lost".
    clock.advanceTo(clock.nowUs + 1.2e6);
    const atEnd = service.status();
    clock.advanceTo(clock.nowUs + 5e6);
    service.stop();

    const wrong = sink.samples
      .map((s) => {
        const us = s.local.sec * 1e6 + s.local.nsec / 1000;
        const truth: number | "leap-second" | "spurious" | "unknown" = truthByEdge.get(us) ?? "unknown";
        return { local: s.local, label: s.utcSecond, truth };
      })
      .filter((x) => x.truth !== x.label);
    return { atEnd, samples: sink.samples, nmeaSamples: nmeaSink.samples, states, service, health, logLines, wrong };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
