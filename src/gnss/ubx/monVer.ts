/*
 * UBX-MON-VER (0x0a 0x04), 40 + 30 × N bytes: who the receiver is.
 *  0 swVersion CH[30] | 30 hwVersion CH[10] | 40 + 30·n extension CH[30]
 * Strings are NUL-padded ASCII. Extensions since protocol 15 are key=value:
 *  "ROM BASE 3.01 (107888)", "FWVER=TIM 1.10", "PROTVER=22.00",
 *  "MOD=NEO-M8T-0", "GPS;GLO;GAL;BDS", "SBAS;IMES;QZSS".
 * Sent once at start-up or when polled, so the identity sticks until the
 * receiver says otherwise.
 */
import { decoded, rejected, type Decoded, type ReceiverIdentity } from "../report.js";

const text = (p: Buffer, at: number, len: number): string =>
  p
    .toString("latin1", at, at + len)
    .replace(/\0.*$/s, "")
    .trim();

export function decodeMonVer(p: Buffer): Decoded {
  if (p.length < 40 || (p.length - 40) % 30 !== 0) return rejected("ubx-bad-payload", `UBX-MON-VER payload ${p.length} bytes, expected 40 + 30 per extension`);
  const id: ReceiverIdentity = { vendor: "u-blox", firmware: text(p, 0, 30), hardware: text(p, 30, 10) };
  for (let at = 40; at < p.length; at += 30) {
    const ext = text(p, at, 30);
    const [key, value] = ext.includes("=") ? [ext.slice(0, ext.indexOf("=")), ext.slice(ext.indexOf("=") + 1)] : [ext, ""];
    if (key === "FWVER") id.firmware = value;
    else if (key === "PROTVER") id.protocol = value;
    else if (key === "MOD") id.model = value;
  }
  return decoded({ source: "UBX-MON-VER", receiver: id });
}
