/* A Clock whose time only moves when the test says so; timers fire in order as it passes them. */
import type { Clock } from "../../src/hal/clock.js";

interface Timer {
  dueUs: number;
  everyUs: number | undefined;
  fn: () => void;
  id: number;
}

export class VirtualClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 0;

  /** How far the host's CLOCK_REALTIME reads from the (virtual) true time; a kernel leap second steps it back 1 s. */
  hostOffsetUs = 0;

  constructor(public nowUs: number) {}

  realtimeUs(): number {
    return this.nowUs + this.hostOffsetUs;
  }
  monotonicMs(): number {
    return this.nowUs / 1000;
  }
  after(ms: number, fn: () => void): () => void {
    return this.add(ms, undefined, fn);
  }
  every(ms: number, fn: () => void): () => void {
    return this.add(ms, ms * 1000, fn);
  }

  /** Moves time to t, running every timer that falls due on the way at its own moment. */
  advanceTo(t: number): void {
    for (;;) {
      const next = this.timers.reduce<Timer | undefined>((a, b) => (!a || b.dueUs < a.dueUs ? b : a), undefined);
      if (!next || next.dueUs > t) break;
      this.nowUs = Math.max(this.nowUs, next.dueUs);
      if (next.everyUs === undefined) this.timers = this.timers.filter((x) => x !== next);
      else next.dueUs += next.everyUs;
      next.fn();
    }
    this.nowUs = Math.max(this.nowUs, t);
  }

  private add(ms: number, everyUs: number | undefined, fn: () => void): () => void {
    const timer = { dueUs: this.nowUs + ms * 1000, everyUs, fn, id: this.nextId++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
}
