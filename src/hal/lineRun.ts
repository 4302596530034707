/*
 * The framer's inner loop as the hardware may supply it: the native addon's
 * copy on the box (native/stratum1_native.c), src/gnss/lineRun.ts's
 * TypeScript reference elsewhere; see there why it exists.
 */

/**
 * Copies src[from, to) into dst at `at` up to the first byte that cannot be
 * inside a sentence (below 0x20 or above 0x7e, '$', '!'). Returns the index
 * of that byte (or `to`) times 256 plus the XOR of the bytes copied: one
 * number, so the call allocates nothing.
 */
export type LineRun = (src: Buffer, from: number, to: number, dst: Buffer, at: number) => number;
