/*
 * UBX-NAV-PVT (0x01 0x07), 92 bytes (84 on protocol < 15).
 *  0 iTOW U4 ms | 4 year U2 | 6 month | 7 day | 8 hour | 9 min | 10 sec U1
 *  11 valid X1: bit0 validDate, bit1 validTime, bit2 fullyResolved
 *  12 tAcc U4 ns | 16 nano I4 ns | 20 fixType U1 | 21 flags X1 (bit0 gnssFixOK)
 *  23 numSV U1 | 24 lon I4 1e-7° | 28 lat I4 1e-7° | 32 height I4 mm (ellipsoid)
 *  36 hMSL I4 mm | 76 pDOP U2 0.01
 *  22 flags2 X1: bit5 confirmedAvai, bit6 confirmedDate, bit7 confirmedTime
 * The UTC time is trusted only when date and time are valid *and* fully
 * resolved (no ambiguity of the second left). Receivers that can confirm
 * (confirmedAvai, protocol 19+) vouch for their UTC once date and time are
 * confirmed by an independent check; a false first solution after a cold
 * start is what confirmation rules out.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { ubxFixMode } from "./fixType.js";
import { ubxUtc } from "./utcFields.js";

export function decodeNavPvt(p: Buffer): Decoded {
  if (p.length < 84) return rejected("ubx-bad-payload", `UBX-NAV-PVT payload ${p.length} bytes, expected 92`);
  const valid = p.readUInt8(11);
  const nano = p.readInt32LE(16);
  const fixOk = (p.readUInt8(21) & 1) === 1;
  const fixMode = ubxFixMode(p.readUInt8(20), fixOk);
  // A "time only" fix holds a surveyed position, not a measured one; it is shown all the same.
  const position = fixMode === "none" || fixMode === "dead-reckoning" ? undefined : { latDeg: p.readInt32LE(28) / 1e7, lonDeg: p.readInt32LE(24) / 1e7, altM: p.readInt32LE(36) / 1000 };
  const pdop = p.readUInt16LE(76) / 100;
  const flags2 = p.readUInt8(22);
  const canConfirm = (flags2 & 0x20) !== 0;
  return decoded({
    source: "UBX-NAV-PVT",
    gpsTowMs: p.readUInt32LE(0),
    ...ubxUtc(p.readUInt16LE(4), p.readUInt8(6), p.readUInt8(7), p.readUInt8(8), p.readUInt8(9), p.readUInt8(10), nano),
    timeValid: (valid & 0b111) === 0b111,
    ...(canConfirm ? { utcVouched: (flags2 & 0xc0) === 0xc0 } : {}),
    fixMode,
    satellitesUsed: p.readUInt8(23),
    ...(position ? { position } : {}),
    ...(pdop > 0 && pdop < 99.99 ? { dop: { pdop } } : {}),
  });
}
