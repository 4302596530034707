import type { TimeSample } from "../timing/sample.js";
import type { SinkStatus } from "../status/contract.js";

/** Where samples go. Sinks are dumb: they deliver, count and report their state; the time gate has decided. */
export interface RefclockSink {
  readonly name: string;
  deliver(sample: TimeSample): void;
  status(): SinkStatus;
  close(): void;
}
