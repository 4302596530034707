/*
 * A Clock whose time only moves when the test says so; timers fire in order
 * as it passes them. advanceTo runs timers synchronously (unit tests of one
 * component); runTo lets the promise chains each timer starts settle before
 * the next one fires, so a whole service with asynchronous parts (the LCD's
 * I2C transfers, chrony queries, status reads) runs an hour in seconds and
 * the same way every time.
 */
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

  /** The same timeline read as true time: what a receiver, or a harness playing one, lives by whatever the host's clock says. */
  trueClock(): Clock {
    return { realtimeUs: () => this.nowUs, monotonicMs: () => this.monotonicMs(), after: (ms, fn) => this.after(ms, fn), every: (ms, fn) => this.every(ms, fn) };
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
    while (this.fireNext(t));
    this.nowUs = Math.max(this.nowUs, t);
  }

  /** Like advanceTo, but after each timer the work it started (promise continuations, immediates) runs before time moves on. */
  async runTo(t: number): Promise<void> {
    await settle();
    while (this.fireNext(t)) await settle();
    this.nowUs = Math.max(this.nowUs, t);
    await settle();
  }

  /** runTo, ms from now. */
  runFor(ms: number): Promise<void> {
    return this.runTo(this.nowUs + ms * 1000);
  }

  /** A promise resolved when virtual time reaches t (true time, µs). */
  until(t: number): Promise<void> {
    return new Promise((resolve) => this.after(Math.max(0, (t - this.nowUs) / 1000), resolve));
  }

  private fireNext(t: number): boolean {
    const next = this.timers.reduce<Timer | undefined>((a, b) => (!a || b.dueUs < a.dueUs ? b : a), undefined);
    if (!next || next.dueUs > t) return false;
    this.nowUs = Math.max(this.nowUs, next.dueUs);
    if (next.everyUs === undefined) this.timers = this.timers.filter((x) => x !== next);
    else next.dueUs += Math.max(1, next.everyUs);
    next.fn();
    return true;
  }

  private add(ms: number, everyUs: number | undefined, fn: () => void): () => void {
    const timer = { dueUs: this.nowUs + ms * 1000, everyUs, fn, id: this.nextId++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
}

/** One turn of the event loop: every promise continuation queued so far has run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
