/*
 * Steps of the system clock, seen as CLOCK_REALTIME moving against the
 * monotonic clock. chrony slews both together (Linux slews CLOCK_MONOTONIC
 * with the NTP adjustment), so only a step changes their difference: chrony's
 * makestep at boot, `chronyc makestep`, an operator's `date -s`, a kernel
 * leap second. Every stamp the box holds (pulse edges, serial reads) is a
 * CLOCK_REALTIME reading; across a step, pairs of them measure the step, not
 * the receiver, so the owner starts association over when one is seen.
 */
import type { Clock } from "../hal/clock.js";

/** Far above the few µs between the two readings, far below any step chrony or a person makes. */
const STEP_US = 20_000;
/** Readings further apart than this (the process was preempted between them) are taken again. */
const READ_SPREAD_MS = 2;

export class ClockStepWatch {
  private lastDifferenceUs: number | undefined;

  constructor(private readonly clock: Clock) {}

  /** The step since the last check, µs (positive: the clock jumped forward), or undefined when none. */
  check(): number | undefined {
    const d = this.difference();
    if (d === undefined) return undefined;
    const last = this.lastDifferenceUs;
    this.lastDifferenceUs = d;
    if (last === undefined || Math.abs(d - last) < STEP_US) return undefined;
    return d - last;
  }

  /** CLOCK_REALTIME − monotonic, µs, read between two monotonic readings close enough to trust. */
  private difference(): number | undefined {
    for (let i = 0; i < 3; i++) {
      const before = this.clock.monotonicMs();
      const real = this.clock.realtimeUs();
      const after = this.clock.monotonicMs();
      if (after - before <= READ_SPREAD_MS) return real - ((before + after) / 2) * 1000;
    }
    return undefined;
  }
}
