/*
 * PPS scenarios in virtual time, through the whole service: startService on
 * the virtual box's fakes, NMEA bytes into its serial line, kernel edges into
 * the sysfs-shaped directory its real sysfs reader polls, labelled pulses
 * collected where chrony's SOCK sockets would be. Each simulated second
 * knows its truth (which UTC second its edge marks), so a test can check
 * every delivered pulse sample against it.
 */
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { instantFromUs, type Instant } from "../../src/hal/instant.js";
import type { PpsService } from "../../src/pps/ppsService.js";
import type { PpsStatus, StatusSnapshot } from "../../src/status/contract.js";
import type { Health } from "../../src/status/health.js";
import type { TimeSample } from "../../src/timing/sample.js";
import type { EdgeMode, PpsStateName } from "../../src/timing/secondAssociator.js";
import type { SentSample } from "../../sim/fakes/collectingDatagrams.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";

/** What the receiver's words say for one second: a civil time (second may be 60), or silence. */
export interface Said {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** Hundredths of a second, for receivers that report several times a second. */
  cs?: number;
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
  /** More epochs within the second (a receiver reporting at 5 or 10 Hz). */
  extraWords?: Array<{ atUs: number; said: Said }>;
}

export interface ScenarioResult {
  /** The pulse samples chrony's PPS socket got, as (stamp, labelled second) pairs. */
  samples: TimeSample[];
  /** The NMEA samples chrony's NMEA socket got. */
  nmeaSamples: TimeSample[];
  states: PpsStateName[];
  service: PpsService;
  /** The pulse side's status just after the last simulated second. */
  atEnd: PpsStatus;
  /** The whole status snapshot then. */
  snapshot: StatusSnapshot;
  health: Health;
  logLines: string[];
  /** Every labelled edge whose label is not its truth. */
  wrong: Array<{ local: Instant; label: number; truth: number | "leap-second" | "spurious" | "unknown" }>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function sentencesFor(said: Said, valid = true): string {
  const hms = `${pad(said.h)}${pad(said.mi)}${pad(said.s)}.${pad(said.cs ?? 0)}`;
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
  /** chrony (modelled) with a network server: a verified clock the pulse direction is checked against. */
  upstream?: boolean;
  /** Where the service keeps what it learned (state.dir); default off. */
  stateDir?: string;
}

/** A pulse sample as chrony reads it: the second named is tv + offset rounded, the stamp that second minus the offset. */
function pulseSample(s: SentSample): TimeSample {
  const named = s.sec + Math.round(s.usec / 1e6 + s.offset);
  const stampNs = Math.round((named - s.sec - s.offset) * 1e9);
  const whole = Math.floor(stampNs / 1e9);
  return { local: { sec: s.sec + whole, nsec: stampNs - whole * 1e9 }, reference: { sec: named, nsec: 0 }, leap: s.leap as TimeSample["leap"], pulse: 0, utcSecond: named };
}

/** An NMEA sample as chrony reads it: at tv, true time was tv + offset. */
function nmeaSample(s: SentSample): TimeSample {
  const local = { sec: s.sec, nsec: s.usec * 1000 };
  const refUs = s.sec * 1e6 + s.usec + s.offset * 1e6;
  return { local, reference: instantFromUs(refUs), leap: s.leap as TimeSample["leap"], pulse: 0, utcSecond: Math.round(refUs / 1e6) };
}

export async function runScenario(seconds: ScenarioSecond[], opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const firstUs = Math.min(...seconds.flatMap((s) => [s.edgeAt ?? Infinity, s.words?.atUs ?? Infinity]));
  const box = startVirtualBox({
    startUs: firstUs - 2e6,
    hostErrorUs: opts.hostErrorUs ?? 0,
    lcd: false,
    chrony: opts.upstream === true,
    ...(opts.upstream ? { upstream: { address: "192.0.2.123", stratum: 2 } } : {}),
    settings: {
      "pps.edge": opts.edge ?? "auto",
      "pps.holdover": String(opts.holdoverS ?? 60),
      "time.floor": "2020-01-01",
      "time.settle": "3",
      "log.level": "debug",
      ...(opts.stateDir ? { "state.dir": opts.stateDir } : {}),
    },
  });
  try {
    const { clock, kernel } = box;
    const pps = box.service.pps!;
    const states: PpsStateName[] = [];
    clock.every(1000, () => {
      const s = pps.associator.state.state;
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
          kernel!.assert(instantFromUs(stamp));
        },
      });
    for (const s of seconds) {
      if (s.edgeAt !== null) edge(s.edgeAt, s.truth ?? "leap-second");
      for (const x of s.extraEdgesAt ?? []) edge(x, "spurious");
      const w = s.words;
      if (w) events.push({ at: w.atUs, run: () => box.serial.feed(Buffer.from(sentencesFor(w.said, w.valid ?? true))) });
      for (const x of s.extraWords ?? []) events.push({ at: x.atUs, run: () => box.serial.feed(Buffer.from(sentencesFor(x.said))) });
    }
    const step = opts.hostStep;
    if (step) events.push({ at: step.atUs, run: () => (clock.hostOffsetUs += step.byUs) });
    events.sort((a, b) => a.at - b.at);
    for (const ev of events) {
      await clock.runTo(ev.at);
      ev.run();
    }
    // Long enough for the last epoch to be decided, short of "lost".
    await clock.runTo(clock.nowUs + 1.2e6);
    const atEnd = pps.status();
    const snapshot = box.status();
    await clock.runTo(clock.nowUs + 5e6);
    const samples = box.datagrams.samples(box.cfg["pps.sock"]!).map(pulseSample);
    const nmeaSamples = box.datagrams.samples(box.cfg["chrony.sock"]!).map(nmeaSample);
    const wrong = samples
      .map((s) => {
        const us = s.local.sec * 1e6 + s.local.nsec / 1000;
        const truth: number | "leap-second" | "spurious" | "unknown" = truthByEdge.get(us) ?? "unknown";
        return { local: s.local, label: s.utcSecond, truth };
      })
      .filter((x) => x.truth !== x.label);
    return { atEnd, snapshot, samples, nmeaSamples, states, service: pps, health: box.service.health, logLines: box.log, wrong };
  } finally {
    await box.close();
  }
}
