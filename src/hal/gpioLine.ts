import type { Instant } from "./instant.js";

/** An input pin that reports its rising edges, stamped in user space when the callback runs. */
export interface GpioLine {
  readonly name: string;
  watchRising(onEdge: (stamp: Instant) => void, onError: (detail: string) => void): void;
  close(): void;
}
