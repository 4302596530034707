import type { TimeSample } from "../timing/sample.js";

/** Where samples go. Sinks are dumb: they deliver, count and report their state; the time gate has decided. */
export interface RefclockSink {
  readonly name: string;
  deliver(sample: TimeSample): void;
  status(): SinkStatus;
  close(): void;
}

export interface SinkStatus {
  /** "ok" after a successful delivery, otherwise why the last one failed. */
  state: string;
  delivered: number;
  failed: number;
  /** Realtime µs of the last successful delivery. */
  lastDeliveredUs?: number;
}
