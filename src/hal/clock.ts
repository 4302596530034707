/**
 * Time as the rest of the service sees it. Logic never calls Date.now() or
 * setTimeout directly: it asks a Clock, so replays and tests are deterministic
 * and the one real implementation decides how precise "now" is.
 */
export interface Clock {
  /** CLOCK_REALTIME in integer microseconds since the Unix epoch. */
  realtimeUs(): number;
  /** A monotonic reading in milliseconds, for timeouts and rates; never stepped. */
  monotonicMs(): number;
  /** Runs fn after ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
  /** Runs fn every ms; returns a cancel function. */
  every(ms: number, fn: () => void): () => void;
}
