import type { Clock } from "../clock.js";
import { native } from "./native.js";

/** The host clocks: CLOCK_REALTIME through the addon (µs), CLOCK_MONOTONIC through hrtime. */
export function systemClock(): Clock {
  const calls = native();
  return {
    realtimeUs: () => calls.realtimeUs(),
    // hrtime() over hrtime.bigint(): no BigInt made and divided at each of the several readings a serial read takes.
    monotonicMs: () => {
      const [s, ns] = process.hrtime();
      return s * 1000 + ns / 1e6;
    },
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
