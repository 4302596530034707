/*
 * What the receiver has been sending: frames by name and dropped bytes over
 * a window of time. It answers three questions without looking at any one
 * message: does anything decode (the baud rate is right), is the receiver
 * silent (unplugged, off), and does its output match the configuration (a
 * reset that lost RAM settings brings back VTG and GLL and drops NAV-PVT).
 */
import type { OutputExpectation } from "./configPlan.js";

export class OutputTally {
  frames = 0;
  garbageBytes = 0;
  private readonly byName = new Map<string, number>();

  add(name: string): void {
    this.frames += 1;
    this.byName.set(name, (this.byName.get(name) ?? 0) + 1);
  }

  dropped(bytes: number): void {
    this.garbageBytes += bytes;
  }

  count(name: string): number {
    return this.byName.get(name) ?? 0;
  }

  reset(): void {
    this.frames = 0;
    this.garbageBytes = 0;
    this.byName.clear();
  }
}

export type LineVerdict = "decoding" | "silent" | "garbage";

/** Frames decode, nothing arrives at all, or bytes arrive that never frame (a wrong rate). */
export function lineVerdict(t: OutputTally): LineVerdict {
  if (t.frames >= 2) return "decoding";
  return t.garbageBytes > 0 ? "garbage" : "silent";
}

export interface OutputComparison {
  matches: boolean;
  missing: string[];
  unexpected: string[];
  /** One sentence, for the log and the status. */
  detail: string;
}

/**
 * Compares a window's tally with the expectation. A message expected every
 * epoch must have come at least (window − 2) times, which allows for the
 * window cutting two bursts; one that was turned off must not have come.
 */
export function compareOutput(t: OutputTally, e: OutputExpectation, windowS: number): OutputComparison {
  const need = Math.max(1, Math.floor(windowS) - 2);
  const missing = e.everyEpoch.filter((n) => t.count(n) < need);
  const unexpected = e.absent.filter((n) => t.count(n) > 0);
  const matches = missing.length === 0 && unexpected.length === 0;
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.join(", ")}`);
  if (unexpected.length) parts.push(`turned-off ${unexpected.join(", ")} present`);
  return { matches, missing, unexpected, detail: matches ? `output as configured over ${windowS} s` : `output does not match the configuration over ${windowS} s: ${parts.join("; ")}` };
}
