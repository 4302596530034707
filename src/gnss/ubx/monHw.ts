/*
 * The antenna supervisor's verdict, from the u-blox monitor messages:
 * UBX-MON-HW (0x0a 0x09), 60 bytes (M8 and older): 20 aStatus U1 | 21 aPower U1
 * UBX-MON-RF (0x0a 0x38), 4 + 24 per RF block (M9, F9, M10): 1 nBlocks U1, then
 *   per block 2 antStatus U1 | 3 antPower U1 (the first block is the L1 antenna)
 * aStatus/antStatus: 0 INIT, 1 DONTKNOW, 2 OK, 3 SHORT, 4 OPEN.
 */
import { decoded, rejected, type AntennaState, type Decoded } from "../report.js";

const STATUS: readonly AntennaState[] = ["unknown", "unknown", "ok", "short", "open"];

export function decodeMonHw(p: Buffer): Decoded {
  if (p.length !== 60) return rejected("ubx-bad-payload", `UBX-MON-HW payload ${p.length} bytes, expected 60`);
  return decoded({ source: "UBX-MON-HW", antenna: STATUS[p.readUInt8(20)] ?? "unknown" });
}

export function decodeMonRf(p: Buffer): Decoded {
  const blocks = p.length >= 4 ? p.readUInt8(1) : 0;
  if (p.length < 4 || blocks === 0 || p.length !== 4 + 24 * blocks) return rejected("ubx-bad-payload", `UBX-MON-RF payload ${p.length} bytes for ${blocks} blocks`);
  return decoded({ source: "UBX-MON-RF", antenna: STATUS[p.readUInt8(4 + 2)] ?? "unknown" });
}
