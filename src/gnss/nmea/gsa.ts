/*
 * GSA — DOP and active satellites.
 *         1 2 3                         14  15  16  17 18
 *  $--GSA,a,x,xx,xx,xx,xx,xx,xx,xx,xx,xx,xx,xx,xx,x.x,x.x,x.x,s*hh
 *  1 M/A selection;  2 fix: 1 none, 2 2D, 3 3D;  3–14 PRNs used;
 *  18 (NMEA 4.1+) system id. Multi-constellation receivers send one GSA per
 *  system, so "satellites used" is summed by the epoch, not taken from one.
 */
import { parseNmeaSentence, type GSAPacket } from "nmea-simple";
import { decoded, type Decoded, type FixMode } from "../report.js";
import type { Sentence } from "./sentence.js";

const MODES: Record<GSAPacket["fixMode"], FixMode | undefined> = { unknown: undefined, none: "none", "2D": "2d", "3D": "3d" };

export function decodeGsa(s: Sentence): Decoded {
  const packet = parseNmeaSentence(s.raw) as GSAPacket;
  const fixMode = MODES[packet.fixMode];
  return decoded({ source: s.talker + "GSA", ...(fixMode ? { fixMode } : {}) });
}
