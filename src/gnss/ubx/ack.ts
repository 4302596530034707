/*
 * UBX-ACK-ACK (0x05 0x01) and UBX-ACK-NAK (0x05 0x00), 2 bytes:
 *  0 clsID U1 | 1 msgID U1: the class and id of the CFG message answered.
 * Every CFG message the receiver processes gets exactly one of them
 * (UBX-13003221 "Acknowledgement"): ACK when applied, NAK when the receiver
 * refuses it (unknown to this firmware, wrong length, a value out of range).
 * Two exceptions matter here: CFG-RST is never acknowledged (the receiver
 * resets), and a baud-rate change is acknowledged at the *new* rate, so the
 * host listening at the old one never sees it (satpulse issue #90 on the
 * ZED-F9T; the same holds for CFG-PRT on M8).
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { ubxMessageName, type UbxMessageId } from "./messageIds.js";

export function decodeAck(accepted: boolean, p: Buffer): Decoded {
  const source = accepted ? "UBX-ACK-ACK" : "UBX-ACK-NAK";
  if (p.length !== 2) return rejected("ubx-bad-payload", `${source} payload ${p.length} bytes, expected 2`);
  const of: UbxMessageId = { msgClass: p.readUInt8(0), msgId: p.readUInt8(1), name: ubxMessageName(p.readUInt8(0), p.readUInt8(1)) };
  return decoded({ source, control: { kind: "ubx-ack", accepted, of } });
}

export const decodeAckAck = (p: Buffer): Decoded => decodeAck(true, p);
export const decodeAckNak = (p: Buffer): Decoded => decodeAck(false, p);
