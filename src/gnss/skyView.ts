/*
 * The sky table: one row per satellite from what an epoch reported. GSV
 * repeats a satellite once per signal (NMEA 4.1: L1, L2, L5 …) and leaves
 * "used" to GSA; NAV-SAT gives each satellite once with its used flag. A row
 * keeps the first known elevation/azimuth and the strongest signal (what
 * cgps shows for a multi-band receiver's satellite is its best C/N0).
 */
import { systemOfNmeaPrn, type GnssSystem, type SatelliteReport, type UsedList } from "./sky.js";

export interface SatelliteView {
  system: GnssSystem;
  /** PRN (NMEA) or svId (UBX), as the receiver numbers it. */
  id: number;
  elevationDeg: number | null;
  azimuthDeg: number | null;
  cnoDbHz: number | null;
  used: boolean;
}

/** More rows than satellites exist in any one sky; keeps the snapshot bounded whatever a receiver sends. */
export const MAX_SKY_SATELLITES = 128;

const ORDER: readonly GnssSystem[] = ["GPS", "GLONASS", "Galileo", "BeiDou", "QZSS", "SBAS", "NavIC", "unknown"];

const key = (system: GnssSystem, id: number): string => `${system}:${id}`;

export function skyView(reports: readonly SatelliteReport[], used: readonly UsedList[]): SatelliteView[] {
  // A GSA list names PRNs in NMEA numbering within its system (or, without one, across all): SBAS 33–64 in a GPS list is SBAS.
  const usedKeys = new Set(used.flatMap((l) => l.ids.map((id) => key(systemOfNmeaPrn(l.system, id), id))));
  const rows = new Map<string, SatelliteView>();
  for (const r of reports) {
    const k = key(r.system, r.id);
    const row = rows.get(k);
    if (!row) {
      if (rows.size >= MAX_SKY_SATELLITES) continue;
      rows.set(k, { system: r.system, id: r.id, elevationDeg: r.elevationDeg, azimuthDeg: r.azimuthDeg, cnoDbHz: r.cnoDbHz, used: r.used === true || usedKeys.has(k) });
      continue;
    }
    row.elevationDeg ??= r.elevationDeg;
    row.azimuthDeg ??= r.azimuthDeg;
    if (r.cnoDbHz !== null && (row.cnoDbHz === null || r.cnoDbHz > row.cnoDbHz)) row.cnoDbHz = r.cnoDbHz;
    if (r.used === true) row.used = true;
  }
  return [...rows.values()].sort((a, b) => ORDER.indexOf(a.system) - ORDER.indexOf(b.system) || a.id - b.id);
}

const sameUsed = (a: readonly UsedList[], b: readonly UsedList[]): boolean =>
  a === b || (a.length === b.length && a.every((l, i) => l.system === b[i]!.system && l.ids.length === b[i]!.ids.length && l.ids.every((id, j) => id === b[i]!.ids[j])));

/**
 * skyView, made again only when the table or the used lists change: the table changes once a sky
 * sample (skySampler.ts), the used lists (GSA, every epoch) seldom, and the status asks every second.
 */
export class SkyViewCache {
  private reports: readonly SatelliteReport[] | undefined;
  private used: readonly UsedList[] = [];
  private view: SatelliteView[] = [];

  get(reports: readonly SatelliteReport[], used: readonly UsedList[]): SatelliteView[] {
    if (reports !== this.reports || !sameUsed(used, this.used)) {
      this.reports = reports;
      this.used = used;
      this.view = skyView(reports, used);
    }
    return this.view;
  }
}
