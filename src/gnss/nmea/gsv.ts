/*
 * GSV — Satellites in view, in groups of four.
 *         1 2 3  4  5  6   7   ...           last (NMEA 4.1+)
 *  $--GSV,n,m,tt,pp,ee,aaa,ss, ... x 4 ..., signal id *hh
 *  1 messages in this group, 2 this message, 3 satellites in view;
 *  then per satellite: pp PRN, ee elevation 0–90°, aaa azimuth 0–359°,
 *  ss C/N0 0–99 dB-Hz (empty: not tracked). The last message of a group has
 *  fewer than four blocks; a block with an empty PRN is padding.
 * The talker names the constellation (GP, GL, GA, GB/BD, GQ); the count is
 * taken from the first message of each group. NMEA 4.1 receivers repeat the
 * group once per signal (L1, L2, L5 …), the signal id at the end.
 * An empty elevation or C/N0 stays "not measured", never 0: a satellite "at
 * 0° with 0 dB-Hz" is not one the receiver has not measured yet (general NMEA
 * libraries such as nmea-simple read empty numbers as 0).
 */
import { decoded, rejected, type Decoded, type GnssReport, type SatelliteReport } from "../report.js";
import { systemOfNmeaPrn, systemOfTalker } from "../sky.js";
import { isDigits, signedDigitsValue } from "./digits.js";
import type { Sentence } from "./sentence.js";

/** An optional whole number within [min, max]; undefined when it is not one. */
function field(text: string, min: number, max: number): number | null | undefined {
  if (text === "") return null;
  const n = signedDigitsValue(text, 3);
  return n >= min && n <= max ? n : undefined;
}

export function decodeGsv(s: Sentence): Decoded {
  const source = s.talker + "GSV";
  const f = s.fields;
  const bad = (why: string): Decoded => rejected("malformed-sentence", `${source}: ${why}`);
  const total = Number(f[0]);
  const number = Number(f[1]);
  const inView = Number(f[2]);
  if (!isDigits(f[0] ?? "", 1, 3) || !isDigits(f[1] ?? "", 1, 3) || total < 1 || number < 1 || number > total) return bad(`message ${f[1] ?? ""} of ${f[0] ?? ""} is not a message number`);
  // Four fields per satellite after the count, and one more (the signal id) on NMEA 4.1. Read by index, not
  // sliced and destructured: every GSV passes here, and on the unit's --jitless V8 each copy and iterator costs.
  const blocks = f.length - 3;
  if (blocks < 0 || blocks % 4 > 1 || blocks > 17) return bad(`${Math.max(0, blocks)} fields after the count, expected up to four groups of 4`);
  const talker = systemOfTalker(s.talker);
  const views: SatelliteReport[] = [];
  for (let i = 3; i + 4 <= f.length; i += 4) {
    const prnText = f[i]!;
    if (prnText === "") continue;
    const prn = field(prnText, 1, 999);
    const el = field(f[i + 1]!, -90, 90);
    const az = field(f[i + 2]!, 0, 360);
    const cno = field(f[i + 3]!, 0, 99);
    if (prn === undefined || prn === null || el === undefined || az === undefined || cno === undefined) {
      return bad(`satellite block ${JSON.stringify(f.slice(i, i + 4).join(","))} is not PRN,elevation,azimuth,C/N0`);
    }
    views.push({ system: systemOfNmeaPrn(talker, prn), id: prn, elevationDeg: el, azimuthDeg: az === 360 ? 0 : az, cnoDbHz: cno });
  }
  const report: GnssReport = {
    source,
    satellites: { views, complete: false, group: { key: `${s.talker}/${blocks % 4 === 1 ? f[f.length - 1] : ""}`, message: number, total } },
  };
  if (number === 1 && Number.isFinite(inView) && isDigits(f[2] ?? "", 1, 3)) report.satellitesSeen = { system: s.talker, count: inView };
  return decoded(report);
}
