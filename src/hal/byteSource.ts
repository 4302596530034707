/** A receiver's byte stream: a UART, a USB serial port, a pty in simulation. */
export interface ByteSource {
  readonly path: string;
  start(sink: ByteSink): void;
  stop(): Promise<void>;
}

export interface ByteSink {
  /**
   * rxUs: CLOCK_REALTIME µs taken when the read completed, before anything else looks at the bytes.
   * The chunk is only valid during the call (sources reuse their read buffer).
   */
  data(chunk: Buffer, rxUs: number): void;
  device(state: DeviceState): void;
}

export type DeviceStateName = "opening" | "open" | "missing" | "error" | "closed";

export interface DeviceState {
  state: DeviceStateName;
  /** One human sentence: the cause and, for failures, the fix. */
  detail: string;
}
