/*
 * The judgement of one replayed scenario, whoever ran it: every sample the
 * box gave chrony against the second its edge or its epoch truly marks, then
 * the scenario's expectations against what the box logged, showed and
 * counted. The real-time judge (judge.ts: real chronyd, the daemon as a
 * process) and the virtual-time one (virtualJudge.ts: the service in
 * process, on the fakes) collect the same observations and hand them here.
 */
import type { CaptureRecord, EdgeTruth } from "../../src/capture/captureFormat.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import { median } from "../support/median.js";
import type { Expectations, Range, Scenario } from "./scenario.js";

/**
 * An epoch's words may be stamped this much before its second: the learned
 * delay is taken out, and it was itself measured on a host whose reads come
 * late by tens of ms under load (seen: 39 ms early on a loaded 2-CPU run).
 * An NMEA sample that far off is imprecise, which chrony's filter handles;
 * a wrong second is ten times further away.
 */
const EARLY_WORDS_S = 0.1;

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

export interface TruthEdge {
  stampS: number;
  /** The stamp as the kernel gave it: seconds and nanoseconds, so the offset check keeps every nanosecond. */
  stamp: { sec: number; nsec: number };
  truth: EdgeTruth;
  /** When the back end delivered it (this process's clock), for back ends that cannot pass the stamp on. */
  deliveredS?: number;
}

/** One sample as chrony took it: the second it names and the host-clock moment it was stamped at. */
export interface JudgedSample {
  refid: "PPS" | "NMEA";
  labelled: number;
  stampS: number;
  /** reference − stamp, as chrony logged it (raw). */
  rawOffsetS: number;
}

export interface Observations {
  samples: JudgedSample[];
  edges: TruthEdge[];
  /** Whether the box saw the capture's own stamps (fake kernel PPS), or the tolerance of its own. */
  stamps: { exact: true } | { exact: false; toleranceS: number };
  lines: string[];
  screens: string[];
  alarmsSeen: ReadonlySet<string>;
  lastStatus: StatusSnapshot | undefined;
  /** The refclock chrony had selected at the end, if any. */
  selected: string | undefined;
  /** What the report says of the run: the back end, the clock, chrony's view. */
  runLines: string[];
  notes: string[];
}

const truthText = (t: EdgeTruth): string => (t === "leap" ? "23:59:60, which has no POSIX label" : t === "none" ? "none: a glitch, not a pulse" : iso(t));
export const iso = (s: number): string => new Date(Math.round(s) * 1000).toISOString().replace(".000Z", "Z");
export const instantS = (r: CaptureRecord): number => r.at.sec + r.at.nsec / 1e9;

/** The capture's edges with the second each truly marks. */
export function truthEdges(records: readonly CaptureRecord[]): TruthEdge[] {
  const out: TruthEdge[] = [];
  for (const r of records) if (r.kind === "assert") out.push({ stampS: instantS(r), stamp: r.at, truth: r.truth ?? Math.round(instantS(r)) });
  return out;
}

const inRange = (n: number, [min, max]: Range): boolean => n >= min && (max === null || n <= max);
const rangeText = ([min, max]: Range): string => (max === null ? `≥ ${min}` : min === max ? `= ${min}` : `${min}–${max}`);

export function judgeObservations(sc: Scenario, o: Observations): Verdict {
  // --- every sample against the truth ---
  const wrong: WrongSecond[] = [];
  const ppsErrorsNs: number[] = [];
  const { edges } = o;
  // chrony logs the sample's time corrected by its own (simulated, -x) clock's offset: µs, not the stamp to the ns.
  const matchS = o.stamps.exact ? 1e-3 : o.stamps.toleranceS;
  const ppsSamples = o.samples.filter((s) => s.refid === "PPS");
  for (const s of ppsSamples) {
    const edge = edges.find((e) => Math.abs((o.stamps.exact ? e.stampS : (e.deliveredS ?? NaN)) - s.stampS) < matchS);
    if (!edge) {
      wrong.push({ refid: "PPS", at: s.stampS.toFixed(6), labelled: iso(s.labelled), truth: "no edge was sent at that moment" });
      continue;
    }
    if (edge.truth !== s.labelled) {
      wrong.push({ refid: "PPS", at: s.stampS.toFixed(6), labelled: iso(s.labelled), truth: truthText(edge.truth) });
      continue;
    }
    // chrony prints offsets with 7 significant digits: below 1 ms that is to the nanosecond.
    if (o.stamps.exact && Math.abs(s.rawOffsetS) < 1e-3) ppsErrorsNs.push(Math.abs(s.rawOffsetS - (edge.truth - edge.stamp.sec - edge.stamp.nsec / 1e9)) * 1e9);
  }
  const nmeaSamples = o.samples.filter((s) => s.refid === "NMEA");
  const nmeaOffsetsMs: number[] = [];
  for (const s of nmeaSamples) {
    const t = s.stampS + EARLY_WORDS_S;
    // The true second at t: the timeline's own, corrected by the truth of the last real edge before it (a leap second makes them differ).
    const last = [...edges].reverse().find((e) => e.stampS <= t && e.truth !== "none");
    let truth: EdgeTruth = Math.floor(t);
    if (last?.truth === "leap") truth = t - last.stampS < 1 ? "leap" : Math.floor(t) - 1;
    else if (typeof last?.truth === "number") truth = Math.floor(t) + (last.truth - Math.round(last.stampS));
    if (truth !== s.labelled) wrong.push({ refid: "NMEA", at: s.stampS.toFixed(6), labelled: iso(s.labelled), truth: truthText(truth) });
    nmeaOffsetsMs.push(s.rawOffsetS * 1000);
  }

  // --- the scenario's expectations ---
  const checks: Check[] = [];
  const check = (what: string, ok: boolean, detail: string): void => void checks.push({ what, ok, detail });
  const e: Expectations = sc.expect;
  const { lines, screens, alarmsSeen, lastStatus } = o;
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
  for (const [pattern, range] of Object.entries(e.logCounts ?? {})) {
    const n = lines.filter((l) => new RegExp(pattern).test(l)).length;
    check(`log lines /${pattern}/ ${rangeText(range)}`, inRange(n, range), `${n}`);
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
  if (e.selected) check(`chrony selects ${e.selected}`, o.selected === e.selected, o.selected ?? "none");

  const ok = wrong.length === 0 && checks.every((c) => c.ok);
  const report = [
    `scenario ${sc.name}: ${sc.title}`,
    ...o.runLines.map((l) => `  ${l}`),
    `  chrony    ${ppsSamples.length} PPS samples${ppsErrorsNs.length ? ` (offset error max ${Math.max(...ppsErrorsNs).toFixed(1)} ns)` : ""}, ${nmeaSamples.length} NMEA samples${nmeaOffsetsMs.length ? ` (offset median |${median(nmeaOffsetsMs.map(Math.abs)).toFixed(2)}| ms)` : ""}; selected: ${o.selected ?? "none"}`,
    `  seconds   ${ppsSamples.length + nmeaSamples.length} labelled, ${wrong.length} wrong`,
    ...wrong.slice(0, 10).map((w) => `    WRONG ${w.refid} sample at ${w.at}: labelled ${w.labelled}, truth ${w.truth}`),
    `  alarms    ${[...alarmsSeen].join(", ") || "none"}; at the end: ${(lastStatus?.alarms ?? []).map((a) => a.id).join(", ") || "none"}`,
    `  pps       ${lastStatus?.pps ? `${lastStatus.pps.state}, ${lastStatus.pps.counts.labelled} labelled (${lastStatus.pps.counts.labelledByCount} by count), refused ${JSON.stringify(lastStatus.pps.refused)}` : "not configured"}`,
    `  LCD       ${screens.length} screens${screens.length > 0 ? `, the last: ${screens.slice(-2).join("  →  ")}` : ""}`,
    ...o.notes.map((n) => `  note      ${n}`),
    ...checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"}  ${c.what}: ${c.detail}`),
    `  ${ok ? "PASS" : "FAIL"}`,
  ].join("\n");
  return { scenario: sc.name, ok, wrong, checks, report };
}
