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
