/** A receiver's byte stream: a UART, a USB serial port, a pty in simulation. */
export interface ByteSource {
  readonly path: string;
  start(sink: ByteSink): void;
  stop(): Promise<void>;
  /**
   * Sources that hand reads over in batches (the serial port's, hal/linux/serialPortSource.ts): at most this
   * long after a batch's first read, from now on. The composition decides (pipeline/readHold.ts); each read
   * keeps its own stamp whatever the hold.
   */
  holdFor?(ms: number, takenAtTick?: boolean): void;
  /**
   * With holdFor(ms, true): the reads are handed over when this is called (the composition's status tick, once a
   * second), not when the line goes quiet, so the service wakes once a second for both; `ms` is then the net, should
   * the tick be late. Hands over, before it returns, every read held.
   */
  takeHeld?(): void;
}

export interface ByteSink {
  /**
   * rxUs: CLOCK_REALTIME µs taken when the read completed, before anything else looks at the bytes.
   * The chunk is only valid during the call (sources reuse their read buffer).
   */
  data(chunk: Buffer, rxUs: number): void;
  /** Sources that hand reads over in batches: the next `count` data() calls are reads all taken before this call. */
  batch?(count: number): void;
  device(state: DeviceState): void;
}

export type DeviceStateName = "opening" | "open" | "missing" | "error" | "closed";

export interface DeviceState {
  state: DeviceStateName;
  /** One human sentence: the cause and, for failures, the fix. */
  detail: string;
}
