/*
 * The judge: one scenario, replayed into the real service and judged by a
 * real chronyd. It starts chronyd (-x: it never steers this machine's clock)
 * and stratum1d with the emulated LCD on its I2C bus, plays the capture
 * through a back end, and watches what a person would: chrony's raw samples
 * (refclocks.log), the service's log and status, the glass of the LCD. Then
 * every sample chrony took is checked against the second its edge or its
 * epoch truly marks, and the scenario's expectations are checked against the
 * rest. A wrong second always fails the run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaptureRecord, EdgeTruth } from "../../src/capture/captureFormat.js";
import { shiftCapture } from "../../sim/replay/shiftCapture.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import { LcdEmulator } from "../../sim/fakes/lcdEmulator.js";
import { startChronyd, type Chronyd, type ChronyRefclockSample } from "../../sim/run/chronyd.js";
import { spawnDaemon } from "../../sim/run/daemonProcess.js";
import { serveI2cBus } from "../../sim/fakes/i2cBusServer.js";
import { lcdBox } from "../../sim/lcdTerminal.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import type { ReplayBackend } from "../../sim/replay/replayBackend.js";
import { median } from "../support/median.js";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import type { Expectations, Range, Scenario } from "./scenario.js";
import { SimulatedBackend } from "./simulatedBackend.js";

/** The box's processes start this long before the capture's first second is played. */
const LEAD_S = 4;
/** After the last record, time for the last samples to reach chrony and the last alarms to settle. */
const GRACE_MS = 4000;
/** An epoch's words may be stamped this much before its second (a learned delay taken out, with jitter). */
const EARLY_WORDS_S = 0.035;

export interface JudgeOptions {
  /** Builds the back end in the run's directory; default: the simulated one. */
  backend?: (dir: string, serviceBaud: number) => Promise<ReplayBackend>;
  /** Each line the service logs, as it comes. */
  onLog?: (line: string) => void;
  /** The LCD each time it changes, as drawn in a terminal. */
  onLcd?: (box: string[]) => void;
}

export interface WrongSecond {
  refid: string;
  at: string;
  labelled: string;
  truth: string;
}

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface Verdict {
  scenario: string;
  ok: boolean;
  wrong: WrongSecond[];
  checks: Check[];
  report: string;
}

interface TruthEdge {
  stampS: number;
  /** The stamp as the kernel gave it: seconds and nanoseconds, so the offset check keeps every nanosecond. */
  stamp: { sec: number; nsec: number };
  truth: EdgeTruth;
  /** When the back end delivered it (this process's clock), for back ends that cannot pass the stamp on. */
  deliveredS?: number;
}

const truthText = (t: EdgeTruth): string => (t === "leap" ? "23:59:60, which has no POSIX label" : t === "none" ? "none: a glitch, not a pulse" : iso(t));
const iso = (s: number): string => new Date(Math.round(s) * 1000).toISOString().replace(".000Z", "Z");
const instantS = (r: CaptureRecord): number => r.at.sec + r.at.nsec / 1e9;

function libfaketime(): string {
  for (const dir of ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/arm-linux-gnueabihf", "/usr/lib"]) {
    const p = join(dir, "faketime", "libfaketimeMT.so.1");
    if (existsSync(p)) return p;
  }
  throw new Error("this scenario runs the box at the capture's own dates, which needs libfaketime: apt-get install faketime");
}

/** The environment of a box whose clock is `aheadS` seconds ahead of this one (monotonic clocks untouched). */
function boxEnv(aheadS: number): NodeJS.ProcessEnv {
  if (aheadS === 0) return process.env;
  return { ...process.env, LD_PRELOAD: libfaketime(), FAKETIME: `${aheadS >= 0 ? "+" : ""}${aheadS}`, FAKETIME_DONT_FAKE_MONOTONIC: "1", FAKETIME_DONT_RESET: "1" };
}

/**
 * What a sample says, from chrony's log: the second it names (its time on
 * chrony's scale plus the cooked offset) and the host-clock moment it was
 * stamped at (that second minus the raw offset). chrony's own clock may have
 * stepped (a leap second under -x), so the logged time alone is not the stamp.
 */
function sampleTimes(s: ChronyRefclockSample): { labelled: number; stampS: number } {
  const reference = s.localS + s.cookedOffsetS;
  return { labelled: Math.round(reference), stampS: reference - s.rawOffsetS };
}

const inRange = (n: number, [min, max]: Range): boolean => n >= min && (max === null || n <= max);
const rangeText = ([min, max]: Range): string => (max === null ? `≥ ${min}` : min === max ? `= ${min}` : `${min}–${max}`);

export async function judgeScenario(sc: Scenario, opts: JudgeOptions = {}): Promise<Verdict> {
  const clock = systemClock();
  const baud = Number(sc.capture.header.baud ?? "9600");
  const first = sc.capture.records[0];
  if (!first) throw new Error(`${sc.capturePath}: the capture has no records`);
  const startS = Math.ceil(clock.realtimeUs() / 1e6) + LEAD_S;
  const mode = sc.clock ?? "shift";
  // shift: the capture moves to now; capture: the box's clock moves to the capture.
  const capture = mode === "shift" ? shiftCapture(sc.capture, startS - first.at.sec) : sc.capture;
  const boxAheadS = mode === "shift" ? 0 : first.at.sec - startS;
  const env = boxEnv(boxAheadS);

  const dir = mkdtempSync(join(tmpdir(), `stratum1-hil-${sc.name}-`));
  const hasPulse = capture.records.some((r) => r.kind === "assert");
  const nmeaSock = join(dir, "nmea.sock");
  const ppsSock = join(dir, "pps.sock");
  const chronyLines = [
    `refclock SOCK ${nmeaSock} refid NMEA poll 2${hasPulse ? " noselect" : ""}`,
    ...(hasPulse ? [`refclock SOCK ${ppsSock} refid PPS poll 2 precision 1e-7`] : []),
    ...(sc.chrony ?? []),
  ];
  let chrony: Chronyd = await startChronyd(dir, chronyLines, { env });
  const backend = await (opts.backend ?? ((d, b) => SimulatedBackend.open(d, b)))(dir, baud);
  const emu = new LcdEmulator(0x27, 16, 2, () => clock.realtimeUs());
  const i2c = await serveI2cBus(join(dir, "i2c.sock"), emu);
  const status = join(dir, "status.json");
  const settings = { "chrony.command": chrony.cmdSocket, "capture.socket": join(dir, "capture.sock"), "lcd.page": "2", ...(sc.service ?? {}) };
  const args = ["--lcd-socket", i2c.path, ...backend.serviceArgs(), "--baud", String(baud), "--sock", nmeaSock, "--pps-sock", hasPulse ? ppsSock : "off", "--status", status, ...Object.entries(settings).flatMap(([k, v]) => ["--set", `${k}=${v}`])];
  const daemon = spawnDaemon(args, opts.onLog, env);

  const screens: string[] = [];
  const alarmsSeen = new Set<string>();
  let lastStatus: StatusSnapshot | undefined;
  const edges: TruthEdge[] = [];
  const notes: string[] = [];
  const watch = setInterval(() => {
    const screen = lcdBox(emu, false)
      .slice(1, -1)
      .map((l) => l.slice(1, -1))
      .join(" | ");
    if (screen !== screens[screens.length - 1]) {
      screens.push(screen);
      opts.onLcd?.(lcdBox(emu, process.stdout.isTTY === true));
    }
    try {
      lastStatus = JSON.parse(readFileSync(status, "utf8")) as StatusSnapshot;
      for (const a of lastStatus.alarms) alarmsSeen.add(a.id);
    } catch {
      // Not written yet, or being replaced this instant.
    }
  }, 200);

  let sources: Awaited<ReturnType<Chronyd["sources"]>> = [];
  let samples: ChronyRefclockSample[] = [];
  try {
    await daemon.waitFor(/serial: .* open at/, 15_000);
    for (const r of capture.records) if (r.kind === "assert") edges.push({ stampS: instantS(r), stamp: r.at, truth: r.truth ?? Math.round(instantS(r)) });
    let edgeIndex = 0;
    const happenings: Array<Promise<void>> = [];
    await playCapture(capture.records, {
      clock,
      boxAheadS,
      backend,
      played: (r, atUs) => {
        if (r.kind === "assert") edges[edgeIndex++]!.deliveredS = atUs / 1e6 + boxAheadS;
      },
      onEvent: (r) => {
        if (r.event === "chrony-restart") {
          const downS = Number(r.args || "0");
          const restart = async (): Promise<void> => {
            await chrony.stop();
            await new Promise((resolve) => setTimeout(resolve, downS * 1000));
            chrony = await startChronyd(dir, chronyLines, { env });
          };
          happenings.push(restart());
          notes.push(`chronyd stopped at ${iso(instantS(r))} and started again ${downS} s later`);
        } else if (r.event === "note") notes.push(r.args);
      },
    });
    await Promise.all(happenings);
    await new Promise((r) => setTimeout(r, GRACE_MS));
    sources = await chrony.sources().catch(() => []);
    samples = readdirSync(dir).includes("refclocks.log") ? chrony.refclockSamples() : [];
  } finally {
    clearInterval(watch);
    await daemon.stop();
    writeFileSync(join(dir, "stratum1d.log"), daemon.lines.join("\n") + "\n");
    writeFileSync(join(dir, "lcd.log"), screens.join("\n") + "\n");
    await i2c.close();
    await backend.close();
    await chrony.stop();
  }

  // --- every sample against the truth ---
  const wrong: WrongSecond[] = [];
  const ppsErrorsNs: number[] = [];
  // chrony logs the sample's time corrected by its own (simulated, -x) clock's offset: µs, not the stamp to the ns.
  const matchS = backend.stamps.exact ? 1e-3 : backend.stamps.toleranceS;
  const ppsSamples = samples.filter((s) => s.refid === "PPS");
  for (const s of ppsSamples) {
    const { labelled, stampS } = sampleTimes(s);
    const edge = edges.find((e) => Math.abs((backend.stamps.exact ? e.stampS : e.deliveredS ?? NaN) - stampS) < matchS);
    if (!edge) {
      wrong.push({ refid: "PPS", at: stampS.toFixed(6), labelled: iso(labelled), truth: "no edge was sent at that moment" });
      continue;
    }
    if (edge.truth !== labelled) {
      wrong.push({ refid: "PPS", at: stampS.toFixed(6), labelled: iso(labelled), truth: truthText(edge.truth) });
      continue;
    }
    // chrony prints offsets with 7 significant digits: below 1 ms that is to the nanosecond.
    if (backend.stamps.exact && Math.abs(s.rawOffsetS) < 1e-3) ppsErrorsNs.push(Math.abs(s.rawOffsetS - (edge.truth - edge.stamp.sec - edge.stamp.nsec / 1e9)) * 1e9);
  }
  const nmeaSamples = samples.filter((s) => s.refid === "NMEA");
  const nmeaOffsetsMs: number[] = [];
  for (const s of nmeaSamples) {
    const { labelled, stampS } = sampleTimes(s);
    const t = stampS + EARLY_WORDS_S;
    // The true second at t: the timeline's own, corrected by the truth of the last real edge before it (a leap second makes them differ).
    const last = [...edges].reverse().find((e) => e.stampS <= t && e.truth !== "none");
    let truth: EdgeTruth = Math.floor(t);
    if (last?.truth === "leap") truth = t - last.stampS < 1 ? "leap" : Math.floor(t) - 1;
    else if (typeof last?.truth === "number") truth = Math.floor(t) + (last.truth - Math.round(last.stampS));
    if (truth !== labelled) wrong.push({ refid: "NMEA", at: stampS.toFixed(6), labelled: iso(labelled), truth: truthText(truth) });
    nmeaOffsetsMs.push(s.rawOffsetS * 1000);
  }

  // --- the scenario's expectations ---
  const checks: Check[] = [];
  const check = (what: string, ok: boolean, detail: string): void => void checks.push({ what, ok, detail });
  const e: Expectations = sc.expect;
  const lines = daemon.lines;
  if (e.ppsSamples) check(`PPS samples ${rangeText(e.ppsSamples)}`, inRange(ppsSamples.length, e.ppsSamples), `${ppsSamples.length}`);
  if (e.nmeaSamples) check(`NMEA samples ${rangeText(e.nmeaSamples)}`, inRange(nmeaSamples.length, e.nmeaSamples), `${nmeaSamples.length}`);
  if (e.log) {
    let from = 0;
    for (const pattern of e.log) {
      const re = new RegExp(pattern);
      const at = lines.findIndex((l, i) => i >= from && re.test(l));
      check(`log, in order: /${pattern}/`, at >= 0, at >= 0 ? lines[at]!.replace(/^<\d>/, "") : `not found after line ${from}`);
      if (at >= 0) from = at + 1;
    }
  }
  for (const pattern of e.logNever ?? []) {
    const hit = lines.find((l) => new RegExp(pattern).test(l));
    check(`log never: /${pattern}/`, hit === undefined, hit ?? "none");
  }
  if (e.alarms) for (const id of e.alarms) check(`alarm raised: ${id}`, alarmsSeen.has(id), [...alarmsSeen].join(", ") || "none");
  if (e.alarmsAtEnd) {
    const atEnd = (lastStatus?.alarms ?? []).map((a) => a.id).sort();
    check(`alarms at the end: ${e.alarmsAtEnd.join(", ") || "none"}`, JSON.stringify(atEnd) === JSON.stringify([...e.alarmsAtEnd].sort()), atEnd.join(", ") || "none");
  }
  if (e.lcd) {
    let from = 0;
    for (const text of e.lcd) {
      const at = screens.findIndex((s, i) => i >= from && s.includes(text));
      check(`LCD, in order: "${text}"`, at >= 0, at >= 0 ? screens[at]! : `not shown after screen ${from}`);
      if (at >= 0) from = at + 1;
    }
  }
  const counted = (what: string, expect: Record<string, Range> | undefined, got: Record<string, number> | undefined): void => {
    for (const [reason, range] of Object.entries(expect ?? {})) {
      const n = got?.[reason] ?? 0;
      check(`${what} ${reason} ${rangeText(range)}`, inRange(n, range), `${n}`);
    }
  };
  counted("gate refused", e.gate, lastStatus?.rejected.gate);
  counted("pulses refused", e.ppsRefused, lastStatus?.pps?.refused);
  counted("framing dropped", e.framing, lastStatus?.rejected.framing);
  counted("pulses", e.ppsCounts, lastStatus?.pps ? { ...lastStatus.pps.counts } : undefined);
  if (e.selected) {
    const sel = sources.find((s) => s.state === "*");
    check(`chrony selects ${e.selected}`, sel?.name === e.selected, sel ? sel.name : `none (${sources.map((s) => `${s.name} '${s.state}'`).join(", ")})`);
  }

  const ok = wrong.length === 0 && checks.every((c) => c.ok);
  const header = sc.capture.header;
  const report = [
    `scenario ${sc.name}: ${sc.title}`,
    `  capture   ${sc.capturePath} (${header.receiver ?? "receiver not named"}, ${baud} baud, ${capture.records.length} records, ${edges.length} pulse edges)`,
    `  replay    ${backend.name}; ${mode === "shift" ? `moved to the current seconds (${startS - first.at.sec >= 0 ? "+" : ""}${startS - first.at.sec} s)` : `the box's clock set to the capture's dates (${boxAheadS >= 0 ? "+" : ""}${boxAheadS} s, libfaketime)`}`,
    `  chrony    ${ppsSamples.length} PPS samples${ppsErrorsNs.length ? ` (offset error max ${Math.max(...ppsErrorsNs).toFixed(1)} ns)` : ""}, ${nmeaSamples.length} NMEA samples${nmeaOffsetsMs.length ? ` (offset median |${median(nmeaOffsetsMs.map(Math.abs)).toFixed(2)}| ms)` : ""}; selected: ${sources.find((s) => s.state === "*")?.name ?? "none"}`,
    `  seconds   ${ppsSamples.length + nmeaSamples.length} labelled, ${wrong.length} wrong`,
    ...wrong.slice(0, 10).map((w) => `    WRONG ${w.refid} sample at ${w.at}: labelled ${w.labelled}, truth ${w.truth}`),
    `  alarms    ${[...alarmsSeen].join(", ") || "none"}; at the end: ${(lastStatus?.alarms ?? []).map((a) => a.id).join(", ") || "none"}`,
    `  pps       ${lastStatus?.pps ? `${lastStatus.pps.state}, ${lastStatus.pps.counts.labelled} labelled (${lastStatus.pps.counts.labelledByCount} by count), refused ${JSON.stringify(lastStatus.pps.refused)}` : "not configured"}`,
    `  LCD       ${screens.length} screens${screens.length > 0 ? `, the last: ${screens.slice(-2).join("  →  ")}` : ""}`,
    ...notes.map((n) => `  note      ${n}`),
    ...checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"}  ${c.what}: ${c.detail}`),
    `  ${ok ? "PASS" : "FAIL"}`,
  ].join("\n");
  if (ok) rmSync(dir, { recursive: true, force: true });
  return { scenario: sc.name, ok, wrong, checks, report: ok ? report : `${report}\n  (run directory kept: ${dir})` };
}
