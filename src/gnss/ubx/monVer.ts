/*
 * UBX-MON-VER (0x0a 0x04), 40 + 30 × N bytes: who the receiver is.
 *  0 swVersion CH[30] | 30 hwVersion CH[10] | 40 + 30·n extension CH[30]
 * Strings are NUL-padded ASCII. Extensions since protocol 15 are key=value:
 *  "ROM BASE 3.01 (107888)", "FWVER=TIM 1.10", "PROTVER=22.00",
 *  "MOD=NEO-M8T-0", "GPS;GLO;GAL;BDS", "SBAS;IMES;QZSS".
 * Protocol 15–17 firmware writes some as "KEY value" instead (LEA-M8F, in
 * the gpsd capture: "PROTVER 16.00", "MOD LEA-M8F-0", and the firmware as
 * a bare "FTS 1.01"), so both forms are read.
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
    const m = /^(FWVER|PROTVER|MOD)[= ](.+)$/.exec(ext);
    if (m?.[1] === "FWVER") id.firmware = m[2]!.trim();
    else if (m?.[1] === "PROTVER") id.protocol = m[2]!.trim();
    else if (m?.[1] === "MOD") id.model = m[2]!.trim();
    // A bare product firmware line ("FTS 1.01", "TIM 1.10") names the firmware better than the core version.
    else if (/^(SPG|TIM|FTS|HPG|ADR|UDR|LAP|HPS|DBS|MDR|PMP) \d/.test(ext)) id.firmware = ext;
  }
  return decoded({ source: "UBX-MON-VER", receiver: id });
}
