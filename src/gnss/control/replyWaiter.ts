/*
 * Waiting for what the receiver says, with a deadline on the injected
 * Clock (never setTimeout), so tests run the whole exchange in virtual time.
 * Each wait is a predicate over incoming reports; the first report it
 * accepts resolves the wait, the deadline resolves it with undefined.
 * Everything the receiver says is offered to every open wait, and a reply
 * that no wait wants is simply not kept: a late ACK for a frame already
 * given up on must not be taken for the next frame's.
 */
import type { Clock } from "../../hal/clock.js";
import type { Frame } from "../frame.js";
import type { GnssReport } from "../report.js";

export interface Heard {
  frame: Frame;
  /** Undefined when the frame did not decode into a report (unsupported, malformed). */
  report: GnssReport | undefined;
  name: string;
}

interface Wait<T> {
  pick: (h: Heard) => T | undefined;
  resolve: (v: T | undefined) => void;
  cancel: () => void;
}

export class ReplyWaiter {
  private readonly waits = new Set<Wait<unknown>>();

  constructor(private readonly clock: Clock) {}

  /** Resolves with pick's first non-undefined result, or undefined after timeoutMs. */
  waitFor<T>(pick: (h: Heard) => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve) => {
      const wait: Wait<T> = {
        pick,
        resolve: (v) => {
          wait.cancel();
          this.waits.delete(wait as Wait<unknown>);
          resolve(v);
        },
        cancel: () => undefined,
      };
      wait.cancel = this.clock.after(timeoutMs, () => {
        this.waits.delete(wait as Wait<unknown>);
        resolve(undefined);
      });
      this.waits.add(wait as Wait<unknown>);
    });
  }

  /** Whether any wait is open: every frame of the receiver's output passes by, and most find none. */
  get waiting(): boolean {
    return this.waits.size > 0;
  }

  /** Offers one heard frame to every open wait. */
  heard(h: Heard): void {
    for (const w of [...this.waits]) {
      const v = w.pick(h);
      if (v !== undefined) w.resolve(v);
    }
  }

  /** Pauses for ms of clock time. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.clock.after(ms, resolve);
    });
  }
}
