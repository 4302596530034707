/*
 * What receiver control must be told about the port's traffic: the
 * service's pipeline hands every framed unit (with what the decoder made of
 * it) and every dropped run of bytes to ReceiverTraffic, so control listens
 * to the same stream the time pipeline decodes. What it sends goes out
 * through a ReceiverLink (src/hal/receiverLink.ts); nothing else writes to
 * the receiver.
 */
import type { Frame, FramingReject } from "../frame.js";
import type { Decoded } from "../report.js";

export interface ReceiverTraffic {
  /** One frame as the framer produced it and the decoder judged it. */
  frame(frame: Frame, decoded: Decoded): void;
  /** Bytes the framer could not frame (noise, a wrong baud rate, a bad UBX checksum). */
  dropped(reason: FramingReject, bytes: number): void;
}
