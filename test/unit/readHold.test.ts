/* How long the serial source may hold the receiver's reads: short while words are wanted soon, taken at the status tick otherwise. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { READ_HOLD_MS } from "../../src/hal/linux/serialPortSource.js";
import { readHold, REPLY_WINDOW_MS, SHORT_HOLD_MS, TICK_HOLD_NET_MS, TICK_PERIOD_MS } from "../../src/pipeline/readHold.js";

const nmeaOnly = { chronyPairsPulse: false, pulseWatched: false, sinceWriteMs: Number.POSITIVE_INFINITY } as const;
const short = { ms: SHORT_HOLD_MS, takenAtTick: false };
const atTick = { ms: TICK_HOLD_NET_MS, takenAtTick: true };

test("the serial source starts with the short hold, until the composition chooses", () => {
  assert.equal(READ_HOLD_MS, SHORT_HOLD_MS);
});

test("no pulse watched and nothing awaited from the receiver: the reads taken at the status tick, the hold a net beyond its period", () => {
  assert.deepEqual(readHold(nmeaOnly), atTick);
  assert.ok(TICK_HOLD_NET_MS > TICK_PERIOD_MS);
});

test("words wanted soon: the short hold with a pulse watched, while a reply is awaited, and when chrony pairs the pulse itself", () => {
  assert.deepEqual(readHold({ ...nmeaOnly, pulseWatched: true }), short);
  assert.deepEqual(readHold({ ...nmeaOnly, sinceWriteMs: REPLY_WINDOW_MS - 1 }), short);
  assert.deepEqual(readHold({ ...nmeaOnly, sinceWriteMs: REPLY_WINDOW_MS }), atTick);
  assert.deepEqual(readHold({ ...nmeaOnly, chronyPairsPulse: true }), short);
});
