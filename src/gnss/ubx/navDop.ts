/*
 * UBX-NAV-DOP (0x01 0x04), 18 bytes, each DOP U2 scaled 0.01:
 *  0 iTOW U4 | 4 gDOP | 6 pDOP | 8 tDOP | 10 vDOP | 12 hDOP | 14 nDOP | 16 eDOP
 * tDOP is the one a time server cares about: how well the geometry pins the
 * receiver's clock. 99.99 is the receiver's "no solution".
 */
import { decoded, rejected, type Decoded, type Dop } from "../report.js";

export function decodeNavDop(p: Buffer): Decoded {
  if (p.length !== 18) return rejected("ubx-bad-payload", `UBX-NAV-DOP payload ${p.length} bytes, expected 18`);
  const dop: Dop = {};
  const put = (key: keyof Dop, at: number): void => {
    const v = p.readUInt16LE(at) / 100;
    if (v > 0 && v < 99.99) dop[key] = v;
  };
  put("gdop", 4);
  put("pdop", 6);
  put("tdop", 8);
  put("vdop", 10);
  put("hdop", 12);
  return decoded({ source: "UBX-NAV-DOP", gpsTowMs: p.readUInt32LE(0), dop });
}
