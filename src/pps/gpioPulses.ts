/*
 * Pulses from a GPIO pin watched in user space (onoff): for boards without
 * the pps-gpio overlay. Each edge carries the event loop's latency, so the
 * source says so (stamping "user") and measures its own jitter: the spread of
 * edge intervals around whole seconds, which is what chrony would see.
 */
import type { Clock } from "../hal/clock.js";
import type { GpioLine } from "../hal/gpioLine.js";
import type { PulseEvents, PulseSource } from "../hal/pulseSource.js";
import { diffS, type Instant } from "../hal/instant.js";

const CAUGHT_UP_MS = 100;
const JITTER_WINDOW = 64;

export class GpioPulses implements PulseSource {
  readonly name: string;
  readonly stamping = "user";
  private seq = 0;
  private last: Instant | undefined;
  private readonly deviations: number[] = [];
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly line: GpioLine,
    private readonly clock: Clock,
  ) {
    this.name = line.name;
  }

  jitterUs(): number | undefined {
    if (this.deviations.length < 4) return undefined;
    const ms = this.deviations.reduce((a, d) => a + d * d, 0) / this.deviations.length;
    return Math.sqrt(ms) * 1e6;
  }

  start(events: PulseEvents): void {
    let failing = false;
    this.line.watchRising(
      (at) => {
        if (failing) events.problem(undefined);
        failing = false;
        if (this.last) {
          const interval = diffS(at, this.last);
          const whole = Math.round(interval);
          // Only intervals near whole seconds say something about jitter; the rest are missed or spurious edges.
          if (whole >= 1 && Math.abs(interval - whole) < 0.05) {
            this.deviations.push(interval - whole);
            if (this.deviations.length > JITTER_WINDOW) this.deviations.shift();
          }
        }
        this.last = at;
        this.seq += 1;
        events.edge({ at, seq: this.seq });
      },
      (detail) => {
        failing = true;
        events.problem(detail);
      },
    );
    // Edges are stamped in the callback that reports them, so everything stamped before now has been reported.
    this.stopTimer = this.clock.every(CAUGHT_UP_MS, () => events.caughtUp(this.clock.realtimeUs()));
  }

  stop(): void {
    this.stopTimer?.();
    this.line.close();
  }
}
