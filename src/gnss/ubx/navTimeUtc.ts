/*
 * UBX-NAV-TIMEUTC (0x01 0x21), 20 bytes.
 *  0 iTOW U4 | 4 tAcc U4 ns | 8 nano I4 ns | 12 year U2 | 14 month | 15 day
 *  16 hour | 17 min | 18 sec | 19 valid X1: bit0 validTOW, bit1 validWKN, bit2 validUTC
 * validUTC means the leap-second count is known; without it the UTC second
 * may be off by the leap seconds since the firmware's default (a receiver
 * fresh from a cold start, before the GPS UTC parameters have come down):
 * the time is valid GPS time, but the receiver does not vouch for its UTC.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { ubxUtc } from "./utcFields.js";

export function decodeNavTimeUtc(p: Buffer): Decoded {
  if (p.length !== 20) return rejected("ubx-bad-payload", `UBX-NAV-TIMEUTC payload ${p.length} bytes, expected 20`);
  const valid = p.readUInt8(19);
  const nano = p.readInt32LE(8);
  return decoded({
    source: "UBX-NAV-TIMEUTC",
    gpsTowMs: p.readUInt32LE(0),
    ...ubxUtc(p.readUInt16LE(12), p.readUInt8(14), p.readUInt8(15), p.readUInt8(16), p.readUInt8(17), p.readUInt8(18), nano),
    timeValid: (valid & 0b011) === 0b011,
    utcVouched: (valid & 0b100) !== 0,
  });
}
