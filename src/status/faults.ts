/*
 * Exceptions in the service's own code, caught where data enters it (serial
 * bytes, pulse edges, the status tick) so one bad input or one bug costs one
 * epoch, not the process: a crash would restart the service, lose its
 * learned state and, on the same input, crash again. Each is counted by
 * where it happened and logged once per new message with its stack's first
 * frame; the status shows them and keeps the box "degraded" a while.
 */
import type { Logger } from "../log/logger.js";
import type { Fault } from "./contract.js";

export class FaultLog {
  private readonly faults: Record<string, Fault> = {};

  constructor(
    private readonly log: Logger,
    private readonly nowUs: () => number,
  ) {}

  /** fn, with any exception it throws counted and logged instead of thrown. */
  guard<A extends unknown[]>(where: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args: A): void => {
      try {
        fn(...args);
      } catch (err) {
        this.record(where, err);
      }
    };
  }

  record(where: string, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const at = new Date(this.nowUs() / 1000).toISOString();
    const known = this.faults[where];
    if (known?.message !== e.message) {
      const frame = e.stack?.split("\n")[1]?.trim() ?? "no stack";
      this.log.error(`internal error in ${where}, caught: ${e.message} (${frame}); the service goes on. Please report it with the log around this line.`);
    }
    this.faults[where] = { count: (known?.count ?? 0) + 1, lastAt: at, message: e.message };
  }

  snapshot(): Record<string, Fault> {
    return Object.fromEntries(Object.entries(this.faults).map(([k, v]) => [k, { ...v }]));
  }
}
