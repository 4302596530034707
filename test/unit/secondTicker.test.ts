/* The status tick: once per second, shortly after it turns, even on a timer that fires early as Node's can. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Clock } from "../../src/hal/clock.js";
import { everySecond } from "../../src/timing/secondTicker.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

/** Node's timers keep whole milliseconds of a cached loop time: one asked for 4.3 ms may run after 3.3 (never before 1). */
function earlyTimers(v: VirtualClock, earlyMs: number): Clock & { wakeups: number } {
  const c = {
    wakeups: 0,
    realtimeUs: () => v.realtimeUs(),
    monotonicMs: () => v.monotonicMs(),
    every: (ms: number, fn: () => void) => v.every(ms, fn),
    after: (ms: number, fn: () => void) =>
      v.after(Math.max(1, Math.floor(ms) - earlyMs), () => {
        c.wakeups += 1;
        fn();
      }),
  };
  return c;
}

test("a tick per second, 5 ms after it turns, and one timer wake-up per second though the timer fires 1 ms early", () => {
  const v = new VirtualClock(1_700_000_000_300_000);
  const clock = earlyTimers(v, 1);
  const ran: Array<{ second: number; atMs: number }> = [];
  const stop = everySecond(clock, 5, (second) => ran.push({ second, atMs: (v.realtimeUs() / 1000) % 1000 }));
  v.advanceTo(v.nowUs + 10_000_000);
  stop();
  assert.deepEqual(
    ran.map((r) => r.second - ran[0]!.second),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  for (const r of ran) assert.ok(r.atMs >= 3 && r.atMs <= 6, `ran ${r.atMs} ms into the second`);
  assert.ok(clock.wakeups <= 11, `${clock.wakeups} timer wake-ups for 10 ticks`);
});

test("after the clock steps back an hour the tick goes on at the next second of the new clock", () => {
  const v = new VirtualClock(1_700_000_000_300_000);
  const ran: number[] = [];
  const stop = everySecond(v, 5, (second) => ran.push(second));
  v.advanceTo(v.nowUs + 3_000_000);
  v.hostOffsetUs = -3600e6;
  v.advanceTo(v.nowUs + 3_000_000);
  stop();
  assert.equal(ran.length, 6);
  assert.equal(ran[3]! - ran[2]!, -3599);
});
