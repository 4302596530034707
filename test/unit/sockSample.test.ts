import assert from "node:assert/strict";
import { test } from "node:test";
import { native } from "../../src/hal/linux/native.js";
import { packSockSample, sockLayout, SOCK_MAGIC, toTimeval, unpackSockSample } from "../../src/refclock/sockSample.js";

test("the packed sock_sample is byte for byte what chrony's C struct holds on this machine", () => {
  const c = native();
  const layout = sockLayout(c.layouts().timeT === 4 ? 4 : 8);
  assert.equal(layout.size, c.layouts().sockSampleSize);
  assert.equal(layout.offset, c.layouts().sockOffsetOffset);
  assert.equal(layout.pulse, c.layouts().sockPulseOffset);
  assert.equal(layout.leap, c.layouts().sockLeapOffset);
  assert.equal(layout.magic, c.layouts().sockMagicOffset);
  for (const [sec, usec, offset, pulse, leap] of [
    [1795306945, 694500, -0.171146, 0, 0],
    [2147483648, 999999, 0.5, 1, 1], // past 2038 on 64-bit time_t
    [0, 0, -1e-7, 0, 2],
  ] as const) {
    assert.deepEqual(packSockSample({ sec, usec, offset, pulse, leap }, layout), c.packSockSample(sec, usec, offset, pulse, leap));
  }
});

test("64-bit layout is 40 bytes with magic at 36; 32-bit time_t layout is 32 bytes with magic at 28", () => {
  const l64 = sockLayout(8);
  const l32 = sockLayout(4);
  assert.deepEqual([l64.size, l64.offset, l64.pulse, l64.leap, l64.magic], [40, 16, 24, 28, 36]);
  assert.deepEqual([l32.size, l32.offset, l32.pulse, l32.leap, l32.magic], [32, 8, 16, 20, 28]);
  const buf = packSockSample({ sec: 1700000000, usec: 123456, offset: -0.25, pulse: 0, leap: 1 }, l32);
  assert.equal(buf.readInt32LE(28), SOCK_MAGIC);
  assert.deepEqual(unpackSockSample(buf, l32), { sec: 1700000000, usec: 123456, offset: -0.25, pulse: 0, leap: 1, magic: SOCK_MAGIC });
});

test("timeval split keeps microseconds exact", () => {
  assert.deepEqual(toTimeval({ sec: 1795306945, nsec: 694_500_999 }), { sec: 1795306945, usec: 694500 });
  assert.deepEqual(toTimeval({ sec: 1795306945, nsec: 0 }), { sec: 1795306945, usec: 0 });
});
