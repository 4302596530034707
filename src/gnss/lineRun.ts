/*
 * The framer's inner loop: copying a sentence's plain characters into the
 * line being built. Nearly every byte the receiver sends passes here, so the
 * box runs the native addon's copy of this function (lineRun in
 * native/stratum1_native.c, handed in as hardware), where the service's
 * interpreter (it runs --jitless) pays ~65 ns a byte for this loop and as
 * much again for the checksum's; this one is the reference, and what runs
 * where there is no addon (virtual-time tests). test/integration/lineRun.test.ts
 * holds the two to the same answers.
 */
import type { LineRun } from "../hal/lineRun.js";

/** The reference LineRun (its contract is in hal/lineRun.ts). */
export const jsLineRun: LineRun = (src, from, to, dst, at) => {
  let x = 0;
  let i = from;
  let o = at;
  for (; i < to; i++) {
    const b = src[i]!;
    if (b < 0x20 || b > 0x7e || b === 0x24 || b === 0x21) break;
    dst[o++] = b;
    x ^= b;
  }
  return i * 256 + x;
};
