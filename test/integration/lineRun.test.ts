/*
 * The framer's inner loop runs in the addon on the box and in TypeScript
 * elsewhere (src/gnss/lineRun.ts): the two must give the same answers, or a
 * sentence framed on the box would differ from the same bytes in a test.
 * Checked on every receiver capture in the shared set and on random bytes
 * (every byte value, runs cut at random places), and the framer fed through
 * each must hand on the same frames with the checksums' due values right.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import { jsLineRun } from "../../src/gnss/lineRun.js";
import { splitSentence } from "../../src/gnss/nmea/sentence.js";
import { native } from "../../src/hal/linux/native.js";
import { captureNames, capturesDir, readCaptureFile } from "../support/chk.js";

/** A small deterministic generator: a failure names its seed and can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

test("the addon's lineRun answers as the TypeScript one: every shared capture, random bytes, every start", () => {
  const c = native();
  const inputs = captureNames().map(readCaptureFile);
  assert.ok(inputs.length >= 5, `the shared captures under ${capturesDir()}`);
  const next = random(20261130);
  for (let k = 0; k < 200; k++) inputs.push(Buffer.from(Array.from({ length: 1 + Math.floor(next() * 600) }, () => Math.floor(next() * 256))));
  const a = Buffer.alloc(4096);
  const b = Buffer.alloc(4096);
  let runs = 0;
  for (const src of inputs) {
    for (let from = 0; from < src.length; from += 1 + Math.floor(next() * 40)) {
      const to = Math.min(src.length, from + Math.floor(next() * 300));
      const at = Math.floor(next() * 100);
      a.fill(0);
      b.fill(0);
      const want = jsLineRun(src, from, to, a, at);
      assert.equal(c.lineRun(src, from, to, b, at), want, `from ${from} to ${to} at ${at}`);
      assert.ok(a.equals(b));
      runs += 1;
    }
  }
  assert.ok(runs > 10_000, `${runs} runs compared`);
});

test("the addon's lineRun refuses a range outside its buffers instead of writing past them", () => {
  const c = native();
  const src = Buffer.from("$GPRMC,1*00");
  assert.throws(() => c.lineRun(src, 0, src.length + 1, Buffer.alloc(64), 0), RangeError);
  assert.throws(() => c.lineRun(src, 5, 4, Buffer.alloc(64), 0), RangeError);
  assert.throws(() => c.lineRun(src, 0, src.length, Buffer.alloc(4), 0), RangeError);
  assert.throws(() => c.lineRun(src, 0, 2, Buffer.alloc(4), 3), RangeError);
  assert.equal(c.lineRun(src.subarray(1), 0, 3, Buffer.alloc(3), 0), 3 * 256 + (0x47 ^ 0x50 ^ 0x52));
});

test("the framer hands on the same frames through either, and the checksum it carries is the sentence's", () => {
  for (const name of captureNames()) {
    const bytes = readCaptureFile(name);
    const framed = (run?: typeof jsLineRun): Frame[] => {
      const out: Frame[] = [];
      const f = new Framer({ frame: (x) => out.push(x), reject: () => undefined }, run);
      // Cut as reads come: at places that fall inside sentences.
      for (let i = 0; i < bytes.length; i += 61) f.push(bytes.subarray(i, i + 61), i);
      return out;
    };
    const js = framed();
    assert.deepEqual(framed(native().lineRun), js, name);
    for (const f of js) {
      if (f.kind !== "nmea") continue;
      assert.deepEqual(splitSentence(f.text, f.xor), splitSentence(f.text), `${name}: ${f.text}`);
    }
  }
});
