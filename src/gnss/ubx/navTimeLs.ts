/*
 * UBX-NAV-TIMELS (0x01 0x26), 24 bytes: leap-second knowledge and the next
 * announced change (UBX-13003221 "UBX-NAV-TIMELS Leap second event
 * information", protocol 17+):
 *   0 iTOW U4 ms | 4 version U1 (0) | 5 reserved1 U1[3]
 *   8 srcOfCurrLs U1: 0 firmware default, 1 GPS−GLONASS difference, 2 GPS,
 *                     3 SBAS, 4 BeiDou, 5 Galileo, 6 aided, 7 configured, 8 NavIC, 255 unknown
 *   9 currLs I1 s (GPS − UTC)
 *  10 srcOfLsChange U1: 0 none, 2 GPS, 3 SBAS, 4 BeiDou, 5 Galileo, 6 GLONASS, 7 NavIC
 *  11 lsChange I1 (+1, −1, 0)
 *  12 timeToLsEvent I4 s (negative once past)
 *  16 dateOfLsGpsWn U2 | 18 dateOfLsGpsDn U2 (1..7: the GPS day the event ends)
 *  20 reserved2 U1[3]
 *  23 valid X1: bit 0 validCurrLs, bit 1 validTimeToLsEvent
 * An announcement lets the box pass the leap flag to chrony before the
 * event instead of learning it from a step.
 */
import type { LeapSource } from "../receiverReports.js";
import { decoded, rejected, type Decoded } from "../report.js";

const CURRENT: Record<number, LeapSource> = { 0: "default", 1: "gps-glonass-difference", 2: "gps", 3: "sbas", 4: "beidou", 5: "galileo", 6: "aided", 7: "configured", 8: "navic" };
const CHANGE: Record<number, LeapSource> = { 2: "gps", 3: "sbas", 4: "beidou", 5: "galileo", 6: "glonass", 7: "navic" };

export function decodeNavTimeLs(p: Buffer): Decoded {
  if (p.length !== 24) return rejected("ubx-bad-payload", `UBX-NAV-TIMELS payload ${p.length} bytes, expected 24`);
  const valid = p.readUInt8(23);
  const currentValid = (valid & 1) !== 0;
  const eventValid = (valid & 2) !== 0;
  const changeSrc = p.readUInt8(10);
  const announced = changeSrc !== 0;
  const changeSource: LeapSource | "none" = announced ? (CHANGE[changeSrc] ?? "unknown") : "none";
  const currentLs = currentValid ? p.readInt8(9) : undefined;
  return decoded({
    source: "UBX-NAV-TIMELS",
    gpsTowMs: p.readUInt32LE(0),
    ...(currentLs !== undefined ? { leapSeconds: currentLs } : {}),
    // Until the receiver knows GPS − UTC (validCurrLs) its UTC may be off by the leap seconds since its firmware's default.
    utcVouched: currentValid,
    leapSecond: {
      currentLs,
      currentSource: CURRENT[p.readUInt8(8)] ?? "unknown",
      change: announced ? p.readInt8(11) : undefined,
      changeSource,
      secondsToEvent: eventValid ? p.readInt32LE(12) : undefined,
      eventGpsWeek: announced && eventValid ? p.readUInt16LE(16) : undefined,
      eventGpsDay: announced && eventValid ? p.readUInt16LE(18) : undefined,
    },
  });
}
