/*
 * UBX-NAV-PVT (0x01 0x07), 92 bytes (84 on protocol < 15).
 *  0 iTOW U4 ms | 4 year U2 | 6 month | 7 day | 8 hour | 9 min | 10 sec U1
 *  11 valid X1: bit0 validDate, bit1 validTime, bit2 fullyResolved
 *  12 tAcc U4 ns | 16 nano I4 ns | 20 fixType U1 | 21 flags X1 (bit0 gnssFixOK)
 *  23 numSV U1
 * The UTC time is trusted only when date and time are valid *and* fully
 * resolved (no ambiguity of the second left).
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { ubxFixMode } from "./fixType.js";
import { ubxUtc } from "./utcFields.js";

export function decodeNavPvt(p: Buffer): Decoded {
  if (p.length < 84) return rejected("ubx-bad-payload", `UBX-NAV-PVT payload ${p.length} bytes, expected 92`);
  const valid = p.readUInt8(11);
  const nano = p.readInt32LE(16);
  const fixOk = (p.readUInt8(21) & 1) === 1;
  return decoded({
    source: "UBX-NAV-PVT",
    gpsTowMs: p.readUInt32LE(0),
    ...ubxUtc(p.readUInt16LE(4), p.readUInt8(6), p.readUInt8(7), p.readUInt8(8), p.readUInt8(9), p.readUInt8(10), nano),
    timeValid: (valid & 0b111) === 0b111,
    fixMode: ubxFixMode(p.readUInt8(20), fixOk),
    satellitesUsed: p.readUInt8(23),
  });
}
