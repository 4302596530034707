/*
 * Bad input is reported, not hidden and not flooded: the first occurrence of
 * each reason is logged at once with its detail and the fix; later ones are
 * summed and logged at most once per interval ("12 more bad-checksum in 60 s").
 */
import type { Logger } from "./logger.js";

export class ReasonReporter {
  private readonly pending = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly hints: Record<string, string>,
  ) {}

  report(reason: string, detail: string): void {
    if (!this.seen.has(reason)) {
      this.seen.add(reason);
      const hint = this.hints[reason];
      this.log.warn(`input: ${reason}: ${detail}${hint ? `; ${hint}` : ""}`);
      return;
    }
    this.pending.set(reason, (this.pending.get(reason) ?? 0) + 1);
  }

  /** Called once per interval by the owner's timer. */
  flush(intervalS: number): void {
    for (const [reason, n] of this.pending) this.log.warn(`input: ${n} more ${reason} in the last ${intervalS} s`);
    this.pending.clear();
  }
}

/**
 * A state that flickers (the receiver's time refused for a second, then good
 * again) is logged when it first appears in an interval; its returns within
 * the interval, each after a state that lasted only moments, are counted and
 * summed at the interval's end, so a receiver whose output wanders cannot
 * flood the journal with pairs of lines. A change after a state that lasted
 * (a fix lost for half a minute, then back) is always logged.
 */
export class TransitionReporter {
  private readonly lastLoggedUs = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly nowUs: () => number,
    private readonly intervalS = 60,
    private readonly flickerUs = 10_000_000,
  ) {}

  /** `previousLastedUs`: how long the state being left held. */
  report(state: string, line: string, level: "info" | "warning", previousLastedUs: number): void {
    const now = this.nowUs();
    const last = this.lastLoggedUs.get(state);
    if (last !== undefined && now - last < this.intervalS * 1e6 && previousLastedUs < this.flickerUs) {
      this.suppressed.set(state, (this.suppressed.get(state) ?? 0) + 1);
      return;
    }
    this.lastLoggedUs.set(state, now);
    this.log.log(level, line);
  }

  /** Called once per interval by the owner's timer. */
  flush(intervalS: number): void {
    for (const [state, n] of this.suppressed) this.log.info(`time: ${state} ${n} more time${n === 1 ? "" : "s"} in the last ${intervalS} s`);
    this.suppressed.clear();
  }
}
