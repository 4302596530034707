/*
 * A configuration as an ordered list of frames, each with the answer that
 * proves it applied, plus what the receiver's output must look like
 * afterwards. Planners (ubxPlan, mtkPlan) are pure: the same receiver and
 * settings always give the same bytes, so a plan can be tested frame by
 * frame without hardware and shown to the owner before it is sent.
 */
import type { SurveyedPosition } from "./settings.js";

export type Expect =
  /** UBX-ACK-ACK for this CFG message (a NAK refuses it). */
  | { kind: "ubx-ack"; msgClass: number; msgId: number }
  /** PMTK001 for this command with flag 3 (0–2 refuse it). */
  | { kind: "pmtk-ack"; command: number }
  /** Nothing comes back (CFG-RST). */
  | { kind: "none" };

export interface ConfigStep {
  /** How results name it: "CFG-TP5", "CFG-MSG NAV-PVT", "CFG-VALSET time pulse", "PMTK285". */
  name: string;
  bytes: Buffer;
  expect: Expect;
  /** What the step sets, for the log ("TIM-TP every epoch", "GSV off"). */
  what: string;
  /** The outputs this step switches: if it is refused, the check of the output leaves them out. */
  outputs?: readonly string[];
}

/** Output the receiver must show once configured: checked, and re-checked to notice a reset. */
export interface OutputExpectation {
  /** Message names ("RMC", "NAV-PVT") that must come every navigation solution. */
  everyEpoch: string[];
  /** Names that were turned off and must not come. */
  absent: string[];
}

export interface ConfigPlan {
  steps: ConfigStep[];
  output: OutputExpectation;
  /** Every output the plan sets, whatever its rate (what `--show` reports on). */
  outputNames: string[];
  /** Settings this receiver cannot take, and other things the owner should know (one sentence each). */
  notes: string[];
  /** Serial load of the configured output: bytes per second on average, and in the heaviest second. */
  load: { averageBytes: number; peakBytes: number };
}

/** The expectation without the outputs of refused steps: a message the firmware lacks will not come, whatever was asked. */
export function withoutRefused(e: OutputExpectation, steps: readonly ConfigStep[], refused: ReadonlySet<string>): OutputExpectation {
  const dropped = new Set(steps.filter((s) => refused.has(s.name)).flatMap((s) => s.outputs ?? []));
  return { everyEpoch: e.everyEpoch.filter((n) => !dropped.has(n)), absent: e.absent.filter((n) => !dropped.has(n)) };
}

/** Typical wire size of each message, bytes (UBX: 8 + payload; NMEA: a multi-constellation u-blox's lines). */
export const TYPICAL_BYTES: Record<string, number> = {
  RMC: 72,
  GGA: 76,
  GSA: 3 * 66,
  GSV: 10 * 70,
  GLL: 52,
  VTG: 40,
  ZDA: 38,
  GNS: 80,
  GST: 60,
  GRS: 3 * 70,
  GBS: 50,
  DTM: 40,
  "NAV-PVT": 100,
  "NAV-STATUS": 24,
  "NAV-TIMELS": 32,
  "NAV-SAT": 8 + 8 + 12 * 32,
  "NAV-SVIN": 48,
  "TIM-TP": 24,
  "TIM-SVIN": 36,
  "MON-HW": 68,
  "MON-RF": 8 + 4 + 24 * 2,
};

/** Average and worst-second bytes of a set of (name, every n-th epoch) outputs. */
export function outputLoad(outputs: readonly { name: string; every: number }[]): { averageBytes: number; peakBytes: number } {
  let averageBytes = 0;
  let peakBytes = 0;
  for (const o of outputs) {
    if (o.every <= 0) continue;
    const b = TYPICAL_BYTES[o.name] ?? 80;
    averageBytes += b / o.every;
    peakBytes += b;
  }
  return { averageBytes: Math.round(averageBytes), peakBytes };
}

/** A load note when the heaviest second would take more than half the second to send at this rate. */
export function loadNote(load: { peakBytes: number }, baud: number): string | undefined {
  const seconds = (load.peakBytes * 10) / baud;
  if (seconds <= 0.5) return undefined;
  return `at ${baud} baud the heaviest second's output (${load.peakBytes} bytes) takes ${seconds.toFixed(2)} s to send, so the epoch's last messages arrive late; set serial.baud = auto and serial.target-baud = 115200, or turn sentences off (gps.nmea)`;
}

/** Position in whole cm plus the 0.1 mm remainder (−99…99), as TMODE3 and CFG-TMODE-* want it. */
export function ecefCmHp(p: SurveyedPosition): { cm: { x: number; y: number; z: number }; hp: { x: number; y: number; z: number } } {
  const split = (m: number): [number, number] => {
    const tenthsMm = Math.round(m * 10_000);
    const cm = Math.trunc(tenthsMm / 100);
    return [cm, tenthsMm - cm * 100];
  };
  const [xc, xh] = split(p.ecefM.x);
  const [yc, yh] = split(p.ecefM.y);
  const [zc, zh] = split(p.ecefM.z);
  return { cm: { x: xc, y: yc, z: zc }, hp: { x: xh, y: yh, z: zh } };
}
