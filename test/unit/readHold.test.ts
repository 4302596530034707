/* How long the serial source may hold the receiver's reads: short while words are wanted soon, long otherwise. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { READ_HOLD_MS } from "../../src/hal/linux/serialPortSource.js";
import { HANDOVER_BY_MS, LONG_HOLD_MS, readHoldMs, REPLY_WINDOW_MS, SHORT_HOLD_MS } from "../../src/pipeline/readHold.js";

const FLYWHEEL_WAIT_MS = 1500;
const quiet = { chronyPairsPulse: false, sinceWriteMs: Number.POSITIVE_INFINITY } as const;

test("the serial source starts with the short hold, until the composition chooses", () => {
  assert.equal(READ_HOLD_MS, SHORT_HOLD_MS);
});

test("no pulse watched and nothing awaited from the receiver: the long hold, under a second", () => {
  assert.equal(readHoldMs({ ...quiet, pulse: "none" }), LONG_HOLD_MS);
  assert.ok(LONG_HOLD_MS < 1000);
});

test("words wanted soon: the short hold while the pulse's delay is learned, while a reply is awaited, and when chrony pairs the pulse itself", () => {
  assert.equal(readHoldMs({ ...quiet, pulse: "learning" }), SHORT_HOLD_MS);
  assert.equal(readHoldMs({ ...quiet, pulse: "none", sinceWriteMs: REPLY_WINDOW_MS - 1 }), SHORT_HOLD_MS);
  assert.equal(readHoldMs({ ...quiet, pulse: "none", sinceWriteMs: REPLY_WINDOW_MS }), LONG_HOLD_MS);
  assert.equal(readHoldMs({ ...quiet, pulse: "none", chronyPairsPulse: true }), SHORT_HOLD_MS);
});

test("with the pulse locked, the words reach the associator by HANDOVER_BY_MS after it, well inside the flywheel's wait", () => {
  for (const wordsAfterMs of [-300, 0, 50, 120, 300, 420, 500, 700, 950]) {
    for (const jitterMs of [0, 2, 20, 100]) {
      const hold = readHoldMs({ ...quiet, pulse: { wordsAfterUs: wordsAfterMs * 1000, jitterUs: jitterMs * 1000 } });
      assert.ok(hold >= SHORT_HOLD_MS && hold <= LONG_HOLD_MS, `${hold} ms`);
      const latestWordsMs = wordsAfterMs + 4 * jitterMs;
      // Longer than the short hold only where the words, held, still come by HANDOVER_BY_MS.
      if (hold > SHORT_HOLD_MS) assert.ok(latestWordsMs + hold <= HANDOVER_BY_MS + 1, `words ${latestWordsMs} ms after the pulse held ${hold} ms`);
    }
  }
  // A receiver talking 120 ms after its pulse with little jitter: one batch a second.
  assert.equal(readHoldMs({ ...quiet, pulse: { wordsAfterUs: 120_000, jitterUs: 2000 } }), LONG_HOLD_MS);
  // Words 0.4 s after the pulse (ppsChrony.test.ts): held so they arrive 1.1 s after it, not the 1.3 s that crossed the wait.
  assert.equal(readHoldMs({ ...quiet, pulse: { wordsAfterUs: 420_000, jitterUs: 0 } }), HANDOVER_BY_MS - 420);
  assert.ok(HANDOVER_BY_MS <= FLYWHEEL_WAIT_MS - 300);
});
