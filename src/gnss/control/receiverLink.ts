/*
 * What receiver control needs from the serial port, and what it must be
 * told about the port's traffic. The service's serial ByteSource implements
 * ReceiverLink; its pipeline hands every framed unit (with what the decoder
 * made of it) and every dropped run of bytes to ReceiverTraffic. Nothing
 * else reaches the receiver: control owns the TX side alone.
 */
import type { Frame, FramingReject } from "../frame.js";
import type { Decoded } from "../report.js";

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

/** Fed by the pipeline: receiver control listens to the same stream the time pipeline decodes. */
export interface ReceiverTraffic {
  /** One frame as the framer produced it and the decoder judged it. */
  frame(frame: Frame, decoded: Decoded): void;
  /** Bytes the framer could not frame (noise, a wrong baud rate, a bad UBX checksum). */
  dropped(reason: FramingReject, bytes: number): void;
}



