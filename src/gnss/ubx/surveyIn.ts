/*
 * Survey-in progress, from two generations of timing receivers:
 *
 * UBX-TIM-SVIN (0x0D 0x04), 28 bytes — u-blox 8 timing (M8T, LEA-M8F; TMODE2)
 *   0 dur U4 s | 4 meanX I4 cm | 8 meanY I4 cm | 12 meanZ I4 cm
 *  16 meanV U4 mm² (variance of the mean) | 20 obs U4 | 24 valid U1 | 25 active U1
 *  26 reserved1 U1[2]                     (UBX-13003221 "UBX-TIM-SVIN")
 *
 * UBX-NAV-SVIN (0x01 0x3B), 40 bytes — M8P and Gen9 (ZED-F9T; TMODE3)
 *   0 version U1 | 1 reserved1 U1[3] | 4 iTOW U4 ms | 8 dur U4 s
 *  12 meanX I4 cm | 16 meanY I4 cm | 20 meanZ I4 cm
 *  24 meanXHP I1 0.1 mm | 25 meanYHP | 26 meanZHP | 27 reserved2 U1
 *  28 meanAcc U4 0.1 mm | 32 obs U4 | 36 valid U1 | 37 active U1 | 38 reserved3 U1[2]
 *
 * "valid" means the minimum time and the accuracy limit have both been
 * met: the survey is over and the receiver holds that mean position, which
 * the box saves so that the next start needs no survey.
 */
import { decoded, rejected, type Decoded } from "../report.js";

export function decodeTimSvin(p: Buffer): Decoded {
  if (p.length !== 28) return rejected("ubx-bad-payload", `UBX-TIM-SVIN payload ${p.length} bytes, expected 28`);
  return decoded({
    source: "UBX-TIM-SVIN",
    surveyIn: {
      durationS: p.readUInt32LE(0),
      ecefM: { x: p.readInt32LE(4) / 100, y: p.readInt32LE(8) / 100, z: p.readInt32LE(12) / 100 },
      accuracyM: Math.sqrt(p.readUInt32LE(16)) / 1000,
      observations: p.readUInt32LE(20),
      valid: p.readUInt8(24) === 1,
      active: p.readUInt8(25) === 1,
    },
  });
}

const cmHp = (cm: number, hp: number): number => (cm * 100 + hp) / 10_000;

export function decodeNavSvin(p: Buffer): Decoded {
  if (p.length !== 40) return rejected("ubx-bad-payload", `UBX-NAV-SVIN payload ${p.length} bytes, expected 40`);
  return decoded({
    source: "UBX-NAV-SVIN",
    gpsTowMs: p.readUInt32LE(4),
    surveyIn: {
      durationS: p.readUInt32LE(8),
      ecefM: { x: cmHp(p.readInt32LE(12), p.readInt8(24)), y: cmHp(p.readInt32LE(16), p.readInt8(25)), z: cmHp(p.readInt32LE(20), p.readInt8(26)) },
      accuracyM: p.readUInt32LE(28) / 10_000,
      observations: p.readUInt32LE(32),
      valid: p.readUInt8(36) === 1,
      active: p.readUInt8(37) === 1,
    },
  });
}
