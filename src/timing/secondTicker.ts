/*
 * A callback shortly after every UTC second turns, realigned each time, so a
 * 1 Hz display changes its seconds digit when the second changes rather than
 * drifting across it as an interval timer does. A timer that fires a little
 * early (Node's can, by up to 1 ms) is not run twice for one second, nor
 * woken again for it.
 */
import type { Clock } from "../hal/clock.js";

export function everySecond(clock: Clock, offsetMs: number, fn: (second: number) => void): () => void {
  let last = -1;
  let cancel: () => void = () => undefined;
  let stopped = false;
  // After a step of the clock the next second is simply the next one on the new clock: a tick waiting for
  // `last + 1` after a step back of an hour would stop the status (and the watchdog's ping) for that hour.
  const schedule = (): void => {
    const sinceMs = clock.realtimeUs() / 1000 - offsetMs;
    let next = Math.floor(sinceMs / 1000) + 1;
    // Fired early, just before the second it ran for: aimed at that second again, the timer would
    // wake the service a few ms later for nothing (every other second, measured: npm run bench).
    if (next === last) next += 1;
    cancel = clock.after(Math.max(1, next * 1000 - sinceMs), fire);
  };
  const fire = (): void => {
    if (stopped) return;
    const second = Math.round((clock.realtimeUs() / 1000 - offsetMs) / 1000);
    if (second !== last) {
      last = second;
      fn(second);
    }
    schedule();
  };
  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}
