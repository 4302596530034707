/*
 * UBX-NAV-STATUS (0x01 0x03), 16 bytes: 0 iTOW | 4 gpsFix U1 | 5 flags X1 (bit0 gpsFixOk)
 *   6 fixStat X1 | 7 flags2 X1: bits 3–4 spoofDetState (protocol 18+: 0 unknown or
 *   deactivated, 1 no spoofing indicated, 2 spoofing indicated, 3 multiple indications)
 * UBX-NAV-SOL    (0x01 0x06), 52 bytes: 0 iTOW | 10 gpsFix U1 | 11 flags X1 (bit0 gpsFixOK) | 47 numSV
 * The fix state of the epoch; a surveyed-in M8T reports "time only" here and
 * nowhere in NMEA.
 */
import type { SpoofingState } from "../receiverReports.js";
import { decoded, rejected, type Decoded } from "../report.js";
import { ubxFixMode } from "./fixType.js";

const SPOOFING: readonly SpoofingState[] = ["unknown", "none", "indicated", "multiple"];

export function decodeNavStatus(p: Buffer): Decoded {
  if (p.length !== 16) return rejected("ubx-bad-payload", `UBX-NAV-STATUS payload ${p.length} bytes, expected 16`);
  return decoded({
    source: "UBX-NAV-STATUS",
    gpsTowMs: p.readUInt32LE(0),
    fixMode: ubxFixMode(p.readUInt8(4), (p.readUInt8(5) & 1) === 1),
    spoofing: SPOOFING[(p.readUInt8(7) >> 3) & 3]!,
  });
}

export function decodeNavSol(p: Buffer): Decoded {
  if (p.length !== 52) return rejected("ubx-bad-payload", `UBX-NAV-SOL payload ${p.length} bytes, expected 52`);
  return decoded({
    source: "UBX-NAV-SOL",
    gpsTowMs: p.readUInt32LE(0),
    fixMode: ubxFixMode(p.readUInt8(10), (p.readUInt8(11) & 1) === 1),
    satellitesUsed: p.readUInt8(47),
  });
}
