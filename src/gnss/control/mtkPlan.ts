/*
 * The PMTK commands that make a MediaTek MT3339 (Adafruit Ultimate GPS HAT)
 * into this box's time source; each answered by PMTK001 (see
 * nmea/pmtkCommands.ts for the layouts):
 *   PMTK314  the owner's sentences, everything else off (GSV every fifth fix:
 *            the sky changes slowly, and it is most of the bytes)
 *   PMTK255  NMEA synchronised to the pulse: the burst follows the edge it names
 *   PMTK285  pulse only with a 2D/3D fix (type 3), of the configured width
 * The rate change (PMTK251) is not here: it is not acknowledged and is
 * confirmed by hearing the receiver at the new rate (see baudChange.ts).
 * The MT3339 has no antenna cable-delay setting and no flash command worth
 * using: it keeps its settings in battery-backed RAM while the HAT's coin
 * cell lasts. Both are said in the plan's notes instead of being pretended.
 */
import { pmtk255, pmtk285, pmtk314, PMTK314_FIELDS, type PmtkSentence } from "../nmea/pmtkCommands.js";
import { outputLoad, type ConfigPlan } from "./configPlan.js";
import { DEFAULT_SETTINGS, type ReceiverSettings } from "./settings.js";

const MAX_PMTK_EVERY = 5;

export function planMediatek(s: ReceiverSettings): ConfigPlan {
  const notes: string[] = [];
  const rates: Partial<Record<PmtkSentence, number>> = {};
  // Without UBX, RMC (time, date, validity) and GGA (fix quality) are the box's only source: they stay on whatever the list says.
  for (const needed of ["RMC", "GGA"] as const) {
    if (!s.nmea.some((n) => n.sentence === needed && n.every === 1)) {
      rates[needed] = 1;
      notes.push(`MediaTek: ${needed} kept on every fix although gps.nmea leaves it out; the box reads its time from RMC and GGA`);
    }
  }
  for (const n of s.nmea) {
    if (rates[n.sentence as PmtkSentence] !== undefined) continue;
    if (!(n.sentence in PMTK314_FIELDS)) {
      notes.push(`MediaTek PMTK314 cannot turn on ${n.sentence}; it stays off`);
      continue;
    }
    const every = Math.min(n.every, MAX_PMTK_EVERY);
    if (every !== n.every) notes.push(`MediaTek sends ${n.sentence} at most every ${MAX_PMTK_EVERY} fixes, not every ${n.every}`);
    rates[n.sentence as PmtkSentence] = every;
  }
  if (s.pulse.cableDelayNs !== DEFAULT_SETTINGS.pulse.cableDelayNs) notes.push(`MediaTek has no cable-delay setting: compensate the ${s.pulse.cableDelayNs} ns in chrony's refclock offset instead`);
  if (s.persist === "bbr-flash") notes.push("MediaTek keeps these settings in battery-backed RAM while the backup cell lasts; there is nothing further to save");
  if (s.fixedPosition) notes.push("MediaTek has no fixed-position time mode; the saved position is not used");
  const sentences = Object.keys(PMTK314_FIELDS) as PmtkSentence[];
  const everyOf = (n: PmtkSentence): number => rates[n] ?? 0;
  // PMTKCHN comes out named "PMTKCHN"; the rest by sentence type.
  const frameNameOf = (n: PmtkSentence): string => (n === "MCHN" ? "PMTKCHN" : n);
  return {
    steps: [
      {
        name: "PMTK314",
        bytes: pmtk314(rates),
        expect: { kind: "pmtk-ack", command: 314 },
        what: `${sentences.filter((n) => everyOf(n) > 0).join(", ")} on; other sentences off`,
        outputs: sentences.map(frameNameOf),
      },
      { name: "PMTK255", bytes: pmtk255(true), expect: { kind: "pmtk-ack", command: 255 }, what: "NMEA sent after the pulse it names" },
      { name: "PMTK285", bytes: pmtk285("2d-3d-fix", s.pulse.widthMs), expect: { kind: "pmtk-ack", command: 285 }, what: `pulse only with a 2D/3D fix, ${s.pulse.widthMs} ms` },
    ],
    output: {
      everyEpoch: sentences.filter((n) => everyOf(n) === 1).map(frameNameOf),
      absent: sentences.filter((n) => everyOf(n) === 0).map(frameNameOf),
    },
    outputNames: sentences.map(frameNameOf),
    notes,
    load: outputLoad(sentences.map((n) => ({ name: n, every: everyOf(n) }))),
  };
}
