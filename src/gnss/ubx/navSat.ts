/*
 * UBX-NAV-SAT (0x01 0x35), 8 + 12 × numSvs bytes (M8 and later; older
 * receivers send NAV-SVINFO instead).
 *  0 iTOW U4 ms | 4 version U1 | 5 numSvs U1 | 6 reserved U1[2]
 *  then per satellite, at 8 + 12·n:
 *  0 gnssId U1 | 1 svId U1 | 2 cno U1 dB-Hz | 3 elev I1 ° | 4 azim I2 ° | 6 prRes I2 0.1 m
 *  8 flags X4: bits 0–2 qualityInd, bit 3 svUsed, bits 4–5 health
 * elev outside ±90 means "unknown", and then so is azim. cno 0 means the
 * satellite is expected but not tracked. The whole list comes in one
 * message, used flags included, so it replaces a GSV/GSA view of the epoch.
 */
import { decoded, rejected, type Decoded, type SatelliteReport } from "../report.js";
import { systemOfUbxGnssId } from "../sky.js";

const HEADER = 8;
const BLOCK = 12;

export function decodeNavSat(p: Buffer): Decoded {
  const numSvs = p.length >= HEADER ? p.readUInt8(5) : -1;
  if (numSvs < 0 || p.length !== HEADER + BLOCK * numSvs) {
    return rejected("ubx-bad-payload", `UBX-NAV-SAT payload ${p.length} bytes${numSvs >= 0 ? ` for ${numSvs} satellites, expected ${HEADER + BLOCK * numSvs}` : ", shorter than its header"}`);
  }
  const views: SatelliteReport[] = [];
  for (let i = 0; i < numSvs; i++) {
    const at = HEADER + BLOCK * i;
    const elev = p.readInt8(at + 3);
    const azim = p.readInt16LE(at + 4);
    const known = elev >= -90 && elev <= 90;
    const cno = p.readUInt8(at + 2);
    views.push({
      system: systemOfUbxGnssId(p.readUInt8(at)),
      id: p.readUInt8(at + 1),
      elevationDeg: known ? elev : null,
      azimuthDeg: known && azim >= 0 && azim <= 360 ? azim % 360 : null,
      cnoDbHz: cno > 0 ? cno : null,
      used: (p.readUInt32LE(at + 8) & 0b1000) !== 0,
    });
  }
  return decoded({ source: "UBX-NAV-SAT", gpsTowMs: p.readUInt32LE(0), satellites: { views, complete: true } });
}
