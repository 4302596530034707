/*
 * The antenna supervisor's and the interference monitor's verdicts, from
 * the u-blox monitor messages (UBX-13003221 "UBX-MON-HW"; Gen9 interface
 * descriptions "UBX-MON-RF"):
 * UBX-MON-HW (0x0a 0x09), 60 bytes (M8 and older; F9 still sends it, M10 does not):
 *   16 noisePerMS U2 | 18 agcCnt U2 (0..8191) | 20 aStatus U1 | 21 aPower U1 (0 off, 1 on, 2 don't know)
 *   22 flags X1: bit 0 rtcCalib, bit 1 safeBoot, bits 2–3 jammingState, bit 4 xtalAbsent
 *   45 jamInd U1 (CW jamming, 0 none … 255 strong)
 * UBX-MON-RF (0x0a 0x38), 4 + 24 per RF block (M9, F9, M10): 0 version | 1 nBlocks | 2 reserved U1[2],
 *   then per block: 0 blockId | 1 flags X1 (bits 0–1 jammingState) | 2 antStatus | 3 antPower
 *   4 postStatus X4 | 8 reserved U1[4] | 12 noisePerMS U2 | 14 agcCnt U2 | 16 jamInd U1
 *   17 ofsI I1 | 18 magI U1 | 19 ofsQ I1 | 20 magQ U1 | 21 reserved U1[3]
 * aStatus/antStatus: 0 INIT, 1 DONTKNOW, 2 OK, 3 SHORT, 4 OPEN.
 * jammingState: 0 unknown or monitor disabled, 1 ok, 2 warning, 3 critical.
 * The first RF block is the L1 antenna; a two-band receiver's worse block
 * speaks for the jamming state.
 */
import type { InterferenceReport, JammingState } from "../receiverReports.js";
import { decoded, rejected, type AntennaState, type Decoded } from "../report.js";

const STATUS: readonly AntennaState[] = ["unknown", "unknown", "ok", "short", "open"];
const JAMMING: readonly JammingState[] = ["unknown", "ok", "warning", "critical"];
const POWER: readonly InterferenceReport["antennaPower"][] = ["off", "on", "unknown"];

export function decodeMonHw(p: Buffer): Decoded {
  if (p.length !== 60) return rejected("ubx-bad-payload", `UBX-MON-HW payload ${p.length} bytes, expected 60`);
  return decoded({
    source: "UBX-MON-HW",
    antenna: STATUS[p.readUInt8(20)] ?? "unknown",
    interference: {
      jamming: JAMMING[(p.readUInt8(22) >> 2) & 3]!,
      jamIndicator: p.readUInt8(45),
      antennaPower: POWER[p.readUInt8(21)] ?? "unknown",
      agcCount: p.readUInt16LE(18),
      noisePerMs: p.readUInt16LE(16),
    },
  });
}

export function decodeMonRf(p: Buffer): Decoded {
  const blocks = p.length >= 4 ? p.readUInt8(1) : 0;
  if (p.length < 4 || blocks === 0 || p.length !== 4 + 24 * blocks) return rejected("ubx-bad-payload", `UBX-MON-RF payload ${p.length} bytes for ${blocks} blocks`);
  let worst = 0;
  let jamInd = 0;
  for (let b = 0; b < blocks; b++) {
    const at = 4 + 24 * b;
    worst = Math.max(worst, p.readUInt8(at + 1) & 3);
    jamInd = Math.max(jamInd, p.readUInt8(at + 16));
  }
  return decoded({
    source: "UBX-MON-RF",
    antenna: STATUS[p.readUInt8(4 + 2)] ?? "unknown",
    interference: {
      jamming: JAMMING[worst]!,
      jamIndicator: jamInd,
      antennaPower: POWER[p.readUInt8(4 + 3)] ?? "unknown",
      agcCount: p.readUInt16LE(4 + 14),
      noisePerMs: p.readUInt16LE(4 + 12),
    },
  });
}
