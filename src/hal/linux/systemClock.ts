import type { Clock } from "../clock.js";
import { native } from "./native.js";

/** The host clocks: CLOCK_REALTIME through the addon (µs), CLOCK_MONOTONIC through hrtime. */
export function systemClock(): Clock {
  const calls = native();
  return {
    realtimeUs: () => calls.realtimeUs(),
    monotonicMs: () => Number(process.hrtime.bigint() / 1000n) / 1000,
    after(ms, fn) {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    every(ms, fn) {
      const t = setInterval(fn, ms);
      return () => clearInterval(t);
    },
  };
}
