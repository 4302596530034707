/*
 * UBX-CFG-PRT (0x06 0x00) for a UART port, 20 bytes (UBX-13003221 "UBX-CFG-PRT
 * Port Configuration for UART Ports"):
 *   0 portID U1 (1 UART1, 2 UART2)   1 reserved1 U1   2 txReady X2
 *   4 mode X4: bits 6–7 charLen (3: 8 bit), bits 9–11 parity (4: none),
 *              bits 12–13 nStopBits (0: 1 stop bit)
 *   8 baudRate U4
 *  12 inProtoMask X2, 14 outProtoMask X2: bit 0 UBX, bit 1 NMEA, bit 5 RTCM3
 *  16 flags X2 (bit 1 extendedTxTimeout)   18 reserved2 U1[2]
 * Poll: 1 byte, the portID. The receiver switches rate as soon as it has
 * processed the message, and acknowledges at the new rate.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

/** 8 data bits, no parity, 1 stop bit; bit 4 set as u-center and gpsd send it (an ANTARIS-era compatibility bit M8 ignores). */
export const MODE_8N1 = 0x000008d0;

export interface ProtocolSet {
  ubx: boolean;
  nmea: boolean;
  rtcm3: boolean;
}

export interface PortSettings {
  portId: number;
  baud: number;
  mode: number;
  input: ProtocolSet;
  output: ProtocolSet;
}

const mask = (p: ProtocolSet): number => (p.ubx ? 1 : 0) | (p.nmea ? 2 : 0) | (p.rtcm3 ? 0x20 : 0);
const unmask = (m: number): ProtocolSet => ({ ubx: (m & 1) !== 0, nmea: (m & 2) !== 0, rtcm3: (m & 0x20) !== 0 });

export function cfgPrtPayload(s: PortSettings): Buffer {
  const p = Buffer.alloc(20);
  p.writeUInt8(s.portId, 0);
  p.writeUInt32LE(s.mode, 4);
  p.writeUInt32LE(s.baud, 8);
  p.writeUInt16LE(mask(s.input), 12);
  p.writeUInt16LE(mask(s.output), 14);
  return p;
}

export const cfgPrt = (s: PortSettings): Buffer => encodeUbx(UBX.CFG_PRT.msgClass, UBX.CFG_PRT.msgId, cfgPrtPayload(s));
export const cfgPrtPoll = (portId: number): Buffer => encodeUbx(UBX.CFG_PRT.msgClass, UBX.CFG_PRT.msgId, Buffer.from([portId]));

export function parseCfgPrt(p: Buffer): PortSettings | string {
  if (p.length !== 20) return `CFG-PRT payload ${p.length} bytes, expected 20`;
  return { portId: p.readUInt8(0), mode: p.readUInt32LE(4), baud: p.readUInt32LE(8), input: unmask(p.readUInt16LE(12)), output: unmask(p.readUInt16LE(14)) };
}

export function decodeCfgPrt(p: Buffer): Decoded {
  const s = parseCfgPrt(p);
  return typeof s === "string" ? rejected("ubx-bad-payload", s) : decoded({ source: "UBX-CFG-PRT", control: { kind: "cfg-prt", settings: s } });
}
