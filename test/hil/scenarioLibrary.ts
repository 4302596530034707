/*
 * Recipes of the scenario library's captures. Each is made from a real log in
 * ../shared/captures/gpsd (GPSD project, BSD-2-Clause) by the converter, told
 * as a story of parts (cold start, fix, fix lost, silence), with the pulse,
 * the baud rate and the set-up's events where the story needs them. The
 * captures are checked in beside their expectations; `npm run hil --
 * build-scenarios --check` (run by the tests) proves they are what these
 * recipes make, so the recipe is their provenance.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { writeCaptureFile } from "../../src/capture/captureFile.js";
import { formatCapture, type Capture, type CaptureRecord } from "../../src/capture/captureFormat.js";
import { convertEpochs, epochHasFix, labelTruth } from "../../sim/replay/convertLog.js";
import { labelForPosix, leapSecondLabel, type UtcLabel } from "../../sim/replay/retime.js";
import { splitEpochs, type CaptureEpoch } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { coldStartEpoch, withoutFix } from "../../sim/replay/receiverStory.js";
import { GPS_WEEK_ROLLOVER_S } from "../../src/timing/utc.js";

type PartKind = "cold" | "fix" | "lost" | "silent";

interface Part {
  kind: PartKind;
  seconds: number;
  /** Whether the receiver pulses in this part (default: with a valid fix). */
  pulses?: boolean;
  /** The rate it sends at in this part (default: the capture's). */
  baud?: number;
}

interface Recipe {
  log: string;
  receiver: string;
  baud: number;
  delayMs: number;
  parts: Part[];
  /** First edge's second; default: a fixed date, moved to the present at replay. */
  startIso?: string;
  labels?: (k: number, startS: number) => UtcLabel;
  /** The receiver's labels are the truth (a synthesised leap second); otherwise the timeline is. */
  labelsAreTrue?: boolean;
  events?: Array<{ atS: number; event: "unplug" | "replug" | "chrony-restart" | "note"; args?: string }>;
  /** Last touches on the records (noise). */
  post?: (records: CaptureRecord[]) => CaptureRecord[];
}

const DEFAULT_START = "2026-11-20T12:00:00Z";

/** A deterministic pseudo-random sequence (the captures must rebuild byte for byte). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Bit errors on the line (about one byte in `every`) and glitches on the pulse wire (an extra edge 0.4 s into some seconds). */
function noisyLine(records: CaptureRecord[], every: number, glitchSeconds: readonly number[]): CaptureRecord[] {
  const rnd = lcg(4711);
  const out = records.map((r): CaptureRecord => {
    if (r.kind !== "serial") return r;
    const bytes = Buffer.from(r.bytes);
    for (let i = 0; i < bytes.length; i++) if (rnd() < 1 / every) bytes[i] = bytes[i]! ^ (1 << Math.floor(rnd() * 8));
    return { ...r, bytes };
  });
  const first = records.find((r) => r.kind === "assert")!.at.sec;
  for (const s of glitchSeconds) out.push({ kind: "assert", at: { sec: first + s, nsec: 400_000_000 }, seq: 0, truth: "none" });
  out.sort((a, b) => a.at.sec - b.at.sec || a.at.nsec - b.at.nsec);
  // The kernel numbers edges in the order they happen.
  let seq = 0;
  return out.map((r) => (r.kind === "assert" ? { ...r, seq: ++seq } : r));
}

function build(name: string, r: Recipe): Capture {
  const fixes = splitEpochs(readCapture(r.log));
  const epochs: CaptureEpoch[] = [];
  const pulse: boolean[] = [];
  const baud: number[] = [];
  let next = 0;
  for (const p of r.parts) {
    for (let k = 0; k < p.seconds; k++) {
      let e: CaptureEpoch;
      if (p.kind === "cold") e = coldStartEpoch(k);
      else if (p.kind === "silent") e = { frames: [] };
      else {
        const fix = fixes[next++ % fixes.length]!;
        e = p.kind === "fix" ? fix : withoutFix(fix);
      }
      epochs.push(e);
      pulse.push(p.pulses ?? (p.kind === "fix" && epochHasFix(e)));
      baud.push(p.baud ?? r.baud);
    }
  }
  const startS = Date.parse(r.startIso ?? DEFAULT_START) / 1000;
  const capture = convertEpochs(epochs, {
    baud: r.baud,
    delayMs: r.delayMs,
    startS,
    retime: r.labels ? (k) => r.labels!(k, startS) : true,
    ...(r.labels && r.labelsAreTrue ? { truthAt: (k: number) => labelTruth(r.labels!(k, startS)) } : {}),
    pulses: "fix",
    pulseAt: (k) => pulse[k]!,
    baudAt: (k) => baud[k]!,
    // The host clock as a kernel on a disciplined box stamps it: a microsecond or two after the second.
    phaseNs: (s) => 1200 + (s % 7) * 100,
    header: {
      receiver: r.receiver,
      source: `scenario '${name}' built by test/hil/scenarioLibrary.ts from ../shared/captures/gpsd/${r.log} (GPSD project, BSD-2-Clause)`,
      date: r.startIso ?? DEFAULT_START,
    },
  });
  let records = capture.records;
  // Where the story changes baud rate, the receiver says so just before its first word at the new rate.
  for (let k = 1; k < baud.length; k++) {
    if (baud[k] !== baud[k - 1]) records.push({ kind: "event", at: { sec: startS + k, nsec: r.delayMs * 1e6 - 1e6 }, event: "baud", args: String(baud[k]) });
  }
  for (const ev of r.events ?? []) records.push({ kind: "event", at: { sec: startS + ev.atS, nsec: 500_000_000 }, event: ev.event, args: ev.args ?? "" });
  records.sort((a, b) => a.at.sec - b.at.sec || a.at.nsec - b.at.nsec);
  if (r.post) records = r.post(records);
  return { header: capture.header, records };
}

const M8N = { log: "neo-m8n.log", receiver: "u-blox NEO-M8N (BN-880)", baud: 9600, delayMs: 120 };

export const RECIPES: Record<string, Recipe> = {
  "cold-start": {
    ...M8N,
    parts: [
      { kind: "cold", seconds: 25 },
      { kind: "fix", seconds: 65 },
    ],
  },
  "fix-loss": {
    ...M8N,
    // A u-blox keeps pulsing from its own clock when the fix goes, and says its time is invalid.
    parts: [
      { kind: "fix", seconds: 40 },
      { kind: "lost", seconds: 20, pulses: true },
      { kind: "fix", seconds: 40 },
    ],
  },
  "pps-loss": {
    ...M8N,
    parts: [
      { kind: "fix", seconds: 40 },
      { kind: "fix", seconds: 20, pulses: false },
      { kind: "fix", seconds: 40 },
    ],
  },
  "receiver-reset": {
    ...M8N,
    // Reset: silence, then time from its RTC marked invalid, then the fix again.
    parts: [
      { kind: "fix", seconds: 40 },
      { kind: "silent", seconds: 3 },
      { kind: "cold", seconds: 4 },
      { kind: "lost", seconds: 8 },
      { kind: "fix", seconds: 40 },
    ],
  },
  "midnight-new-year": { ...M8N, startIso: "2026-12-31T23:58:50Z", parts: [{ kind: "fix", seconds: 110 }] },
  "leap-second": {
    ...M8N,
    startIso: "2016-12-31T23:59:00Z",
    parts: [{ kind: "fix", seconds: 100 }],
    labelsAreTrue: true,
    // 23:59:60 is the 61st second; the host clock of the capture does not apply it, so labels after it are one behind the timeline.
    labels: (k, startS) => (k < 60 ? labelForPosix(startS + k, 17) : k === 60 ? leapSecondLabel(startS + 59, 17) : labelForPosix(startS + k - 1, 18)),
  },
  "week-rollover": {
    log: "april6_2019.log",
    receiver: "Telit HE910 (GPS week rollover firmware bug)",
    baud: 9600,
    delayMs: 150,
    startIso: "2019-04-06T12:00:00Z",
    parts: [{ kind: "fix", seconds: 50, pulses: true }],
    // The firmware dates everything 1024 weeks back.
    labels: (k, startS) => labelForPosix(startS + k - GPS_WEEK_ROLLOVER_S, 18),
  },
  "noisy-line": { ...M8N, parts: [{ kind: "fix", seconds: 90 }], post: (rs) => noisyLine(rs, 1500, [30, 31, 55]) },
  "baud-change": {
    ...M8N,
    // Someone reconfigured the receiver to 38400 for a while (u-center, a gpsd probe), then back.
    parts: [
      { kind: "fix", seconds: 35 },
      { kind: "fix", seconds: 20, baud: 38400 },
      { kind: "fix", seconds: 40 },
    ],
  },
  "chrony-restart": { ...M8N, parts: [{ kind: "fix", seconds: 95 }], events: [{ atS: 45, event: "chrony-restart", args: "5" }] },
  "unplug-replug": {
    ...M8N,
    // A USB receiver pulled out and put back: its words and its pulse stop together.
    parts: [
      { kind: "fix", seconds: 35 },
      { kind: "silent", seconds: 15 },
      { kind: "fix", seconds: 45 },
    ],
    events: [
      { atS: 35, event: "unplug" },
      { atS: 49, event: "replug" },
    ],
  },
  "ubx-timing": { log: "u-blox-m8t-time.log", receiver: "u-blox M8T in time mode (UBX NAV + NMEA)", baud: 9600, delayMs: 60, parts: [{ kind: "fix", seconds: 75 }] },
};

export const SCENARIO_NAMES = Object.keys(RECIPES);

/** Writes each recipe's capture where it differs from the file (or only lists those, with check); returns the names that differ. */
export function buildScenarioCaptures(dir: string, check: boolean): string[] {
  const changed: string[] = [];
  for (const [name, recipe] of Object.entries(RECIPES)) {
    const capture = build(name, recipe);
    const path = join(dir, `${name}.cap.gz`);
    const same = existsSync(path) && gunzipSync(readFileSync(path)).toString("latin1") === formatCapture(capture);
    if (same) continue;
    changed.push(name);
    if (!check) writeCaptureFile(path, capture);
  }
  return changed;
}
