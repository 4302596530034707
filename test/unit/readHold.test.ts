/* How long the serial source may hold the receiver's reads: short while words are wanted soon, long otherwise. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { READ_HOLD_MS } from "../../src/hal/linux/serialPortSource.js";
import { LONG_HOLD_MS, readHoldMs, REPLY_WINDOW_MS, SHORT_HOLD_MS } from "../../src/pipeline/readHold.js";

const nmeaOnly = { chronyPairsPulse: false, pulseWatched: false, sinceWriteMs: Number.POSITIVE_INFINITY } as const;

test("the serial source starts with the short hold, until the composition chooses", () => {
  assert.equal(READ_HOLD_MS, SHORT_HOLD_MS);
});

test("no pulse watched and nothing awaited from the receiver: the long hold, under a second", () => {
  assert.equal(readHoldMs(nmeaOnly), LONG_HOLD_MS);
  assert.ok(LONG_HOLD_MS > SHORT_HOLD_MS && LONG_HOLD_MS < 1000);
});

test("words wanted soon: the short hold with a pulse watched, while a reply is awaited, and when chrony pairs the pulse itself", () => {
  assert.equal(readHoldMs({ ...nmeaOnly, pulseWatched: true }), SHORT_HOLD_MS);
  assert.equal(readHoldMs({ ...nmeaOnly, sinceWriteMs: REPLY_WINDOW_MS - 1 }), SHORT_HOLD_MS);
  assert.equal(readHoldMs({ ...nmeaOnly, sinceWriteMs: REPLY_WINDOW_MS }), LONG_HOLD_MS);
  assert.equal(readHoldMs({ ...nmeaOnly, chronyPairsPulse: true }), SHORT_HOLD_MS);
});
