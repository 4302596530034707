/*
 * A UBX poll: the message's own class and id with an empty payload (or, for
 * a few, a selector such as CFG-PRT's portID or CFG-TP5's tpIdx). The
 * receiver answers with the message itself; a polled CFG message is also
 * followed by ACK-ACK (seen in the LEA-M8F capture: CFG-PRT, then ACK-ACK
 * 06 00). Source: UBX-13003221 "UBX Frame Structure" / "Polling Mechanism".
 */
import { encodeUbx } from "./frame.js";
import type { UbxMessageId } from "./messageIds.js";

export function ubxPoll(message: UbxMessageId, selector: Buffer = Buffer.alloc(0)): Buffer {
  return encodeUbx(message.msgClass, message.msgId, selector);
}
