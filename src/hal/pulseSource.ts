import type { Instant } from "./instant.js";

/** One assert edge of the receiver's pulse-per-second output. */
export interface PulseEdge {
  /** CLOCK_REALTIME of the edge as its stamper saw it. */
  at: Instant;
  /** The stamper's sequence number (kernel: the assert count); gaps mean missed edges. */
  seq: number;
}

/**
 * Where edges come from. "kernel" edges are stamped in the interrupt handler
 * (pps-gpio) and are good to about a microsecond; "user" edges are stamped
 * when a JavaScript callback runs and carry the event loop's latency.
 */
export interface PulseSource {
  readonly name: string;
  readonly stamping: "kernel" | "user";
  /** User-space stamping only: RMS deviation of recent edge intervals from whole seconds, µs; undefined until measured. */
  jitterUs?(): number | undefined;
  start(events: PulseEvents): void;
  stop(): void;
}

export interface PulseEvents {
  edge(e: PulseEdge): void;
  /** A clear (falling) edge, from sources that have them, only while clearWanted() says so (a recording). */
  clearEdge(e: PulseEdge): void;
  /** Whether clear edges are wanted now: reading them costs a file read a poll, worth it only while someone records. */
  clearWanted(): boolean;
  /**
   * Every edge stamped before this realtime (µs) has now been reported: the
   * associator may decide about the seconds that end before it.
   */
  caughtUp(realtimeUs: number): void;
  /** A problem with the source (one sentence: cause and fix), or undefined when it is working again. */
  problem(detail: string | undefined): void;
}
