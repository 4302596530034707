/*
 * GSA — DOP and active satellites.
 *         1 2 3                         14  15  16  17 18
 *  $--GSA,a,x,xx,xx,xx,xx,xx,xx,xx,xx,xx,xx,xx,xx,x.x,x.x,x.x,s*hh
 *  1 M/A selection;  2 fix: 1 none, 2 2D, 3 3D;  3–14 PRNs used;
 *  15 PDOP, 16 HDOP, 17 VDOP;  18 (NMEA 4.1+) system id: 1 GPS, 2 GLONASS,
 *  3 Galileo, 4 BeiDou, 5 QZSS, 6 NavIC.
 * Multi-constellation receivers send one GSA per system, so "satellites
 * used" is gathered by the epoch, not taken from one. Without field 18 a
 * "GN" GSA's PRNs are told apart by their range, as in GSV.
 */
import { decoded, rejected, type Decoded, type Dop, type FixMode } from "../report.js";
import { systemOfNmeaId, systemOfTalker } from "../sky.js";
import { isDigits } from "./digits.js";
import type { Sentence } from "./sentence.js";

/** Field 2; an empty or other value says nothing about the fix. */
const MODES: Record<string, FixMode | undefined> = { "1": "none", "2": "2d", "3": "3d" };

/** A DOP field: empty is "not given"; 99.99 is how receivers print "no solution". */
function dopField(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && n < 99.99 ? n : undefined;
}

export function decodeGsa(s: Sentence): Decoded {
  const source = s.talker + "GSA";
  const fixMode = MODES[s.fields[1] ?? ""];
  const ids: number[] = [];
  for (const text of s.fields.slice(2, 14)) {
    if (text === "") continue;
    if (!isDigits(text, 1, 3)) return rejected("malformed-sentence", `${source}: satellite ${JSON.stringify(text)} is not a PRN`);
    ids.push(Number(text));
  }
  const system = systemOfNmeaId(s.fields[17] ?? "") ?? systemOfTalker(s.talker);
  const dop: Dop = {};
  const [pdop, hdop, vdop] = [dopField(s.fields[14]), dopField(s.fields[15]), dopField(s.fields[16])];
  if (pdop !== undefined) dop.pdop = pdop;
  if (hdop !== undefined) dop.hdop = hdop;
  if (vdop !== undefined) dop.vdop = vdop;
  return decoded({
    source,
    ...(fixMode ? { fixMode } : {}),
    used: system ? { system, ids } : { ids },
    ...(Object.keys(dop).length > 0 ? { dop } : {}),
  });
}
