/*
 * UBX-CFG-MSG (0x06 0x01): one message's output rate, in three forms
 * (UBX-13003221 "UBX-CFG-MSG"):
 *   poll                0 msgClass U1 | 1 msgID U1         (answered by the 8-byte form)
 *   set, current port   0 msgClass U1 | 1 msgID U1 | 2 rate U1
 *   set/get, all ports  0 msgClass U1 | 1 msgID U1 | 2 rate U1[6]:
 *                       I2C (DDC), UART1, UART2, USB, SPI, reserved
 * The rate counts navigation solutions: 1 every epoch, 5 every fifth, 0 off.
 * Standard NMEA sentences are class 0xF0 (GGA 0x00 … GNS 0x0D). The box
 * sets the port it talks on (current port), so it need not know whether the
 * receiver sits on UART1 or USB.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX, ubxMessageName, type UbxMessageId } from "./messageIds.js";

export interface PortRates {
  ddc: number;
  uart1: number;
  uart2: number;
  usb: number;
  spi: number;
}

export interface MessageRates {
  message: UbxMessageId;
  /** Set on the current port only (the 3-byte form). */
  currentPort?: number;
  /** Per port (the 8-byte form, and every poll reply). */
  ports?: PortRates;
}

export const cfgMsgSet = (m: UbxMessageId, rate: number): Buffer => encodeUbx(UBX.CFG_MSG.msgClass, UBX.CFG_MSG.msgId, Buffer.from([m.msgClass, m.msgId, rate]));

export const cfgMsgPoll = (m: UbxMessageId): Buffer => encodeUbx(UBX.CFG_MSG.msgClass, UBX.CFG_MSG.msgId, Buffer.from([m.msgClass, m.msgId]));

export function cfgMsgAllPortsPayload(m: UbxMessageId, r: PortRates): Buffer {
  return Buffer.from([m.msgClass, m.msgId, r.ddc, r.uart1, r.uart2, r.usb, r.spi, 0]);
}

/** The 3- and 8-byte forms; a 2-byte payload is a poll and is not rates (undefined). */
export function parseCfgMsg(p: Buffer): MessageRates | undefined | string {
  if (p.length === 2) return undefined;
  if (p.length !== 3 && p.length !== 8) return `CFG-MSG payload ${p.length} bytes, expected 3 or 8`;
  const message: UbxMessageId = { msgClass: p.readUInt8(0), msgId: p.readUInt8(1), name: ubxMessageName(p.readUInt8(0), p.readUInt8(1)) };
  if (p.length === 3) return { message, currentPort: p.readUInt8(2) };
  return { message, ports: { ddc: p.readUInt8(2), uart1: p.readUInt8(3), uart2: p.readUInt8(4), usb: p.readUInt8(5), spi: p.readUInt8(6) } };
}

export function decodeCfgMsg(p: Buffer): Decoded {
  const r = parseCfgMsg(p);
  if (typeof r === "string") return rejected("ubx-bad-payload", r);
  if (r === undefined) return rejected("ubx-bad-payload", "CFG-MSG poll (2 bytes) sent by the receiver");
  return decoded({ source: "UBX-CFG-MSG", control: { kind: "cfg-msg", rates: r } });
}
