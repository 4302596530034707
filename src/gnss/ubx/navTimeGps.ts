/*
 * UBX-NAV-TIMEGPS (0x01 0x20), 16 bytes.
 *  0 iTOW U4 ms | 4 fTOW I4 ns | 8 week I2 | 10 leapS I1 | 11 valid X1:
 *  bit0 towValid, bit1 weekValid, bit2 leapSValid | 12 tAcc U4 ns
 * Gives UTC as GPS time − leapS. UBX carries the full week number, so it has
 * no 1024-week ambiguity; the leap count makes it trustworthy only when
 * leapSValid is set.
 */
import { decoded, rejected, type Decoded } from "../report.js";

const GPS_EPOCH_S = 315964800; // 1980-01-06T00:00:00Z

export function decodeNavTimeGps(p: Buffer): Decoded {
  if (p.length !== 16) return rejected("ubx-bad-payload", `UBX-NAV-TIMEGPS payload ${p.length} bytes, expected 16`);
  const itow = p.readUInt32LE(0);
  const ftow = p.readInt32LE(4);
  const week = p.readInt16LE(8);
  const leapS = p.readInt8(10);
  const valid = p.readUInt8(11);
  const gpsUs = (GPS_EPOCH_S + week * 604800) * 1e6 + itow * 1000 + Math.round(ftow / 1000);
  const utcUs = gpsUs - leapS * 1e6;
  const utcSec = Math.floor(utcUs / 1e6);
  const micros = utcUs - utcSec * 1e6;
  const utc = new Date(utcSec * 1000);
  return decoded({
    source: "UBX-NAV-TIMEGPS",
    gpsTowMs: itow,
    leapSeconds: leapS,
    date: { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() },
    timeOfDay: { hour: utc.getUTCHours(), minute: utc.getUTCMinutes(), second: utc.getUTCSeconds(), micros },
    timeValid: (valid & 0b111) === 0b111,
  });
}
