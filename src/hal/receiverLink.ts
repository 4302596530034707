/**
 * The TX side of the receiver's serial port, as receiver control needs it
 * (src/gnss/control/): send bytes, change the rate. The serial ByteSource
 * implements it beside its RX side; the simulated wire
 * (sim/receivers/serialWire.ts) implements it in virtual time.
 */
export interface ReceiverLink {
  /**
   * Sends bytes to the receiver. Resolves once they have left the UART
   * (tcdrain), so a setBaud that follows does not cut the last of them;
   * rejects with an Error whose message names the cause.
   */
  write(bytes: Buffer): Promise<void>;
  /** Changes the host's rate (8N1). Bytes in flight at the old rate are lost. */
  setBaud(baud: number): Promise<void>;
  /** The rate the host listens at now. */
  readonly baud: number;
}
