/*
 * stratum1d's status snapshot (status.path), as the gate reads it on a box
 * with a receiver: its alarms, if the snapshot is fresh. A snapshot older
 * than a few seconds means stratum1d is stopped or hung; the gate then does
 * not know the receiver side and says so (healthVerdict.ts degrades on it:
 * chrony may still be on a good pulse, or already on its own).
 */
import type { BoxFacts } from "./healthVerdict.js";

/** stratum1d writes every second; three missed writes in a row are not a slow disk. */
export const STALE_AFTER_S = 5;

interface SnapshotShape {
  updatedAt?: unknown;
  alarms?: unknown;
}

export function boxFacts(text: string | null, nowUs: number): BoxFacts {
  if (text === null) return { fresh: false, why: "stratum1d's status file is missing (stratum1d not running?)" };
  let snap: SnapshotShape;
  try {
    snap = JSON.parse(text) as SnapshotShape;
  } catch {
    return { fresh: false, why: "stratum1d's status file is not JSON" };
  }
  const at = typeof snap.updatedAt === "string" ? Date.parse(snap.updatedAt) : NaN;
  if (Number.isNaN(at)) return { fresh: false, why: "stratum1d's status has no time" };
  const ageS = nowUs / 1e6 - at / 1000;
  if (ageS > STALE_AFTER_S) return { fresh: false, why: `stratum1d's status is ${Math.round(ageS)} s old (stratum1d stopped or hung?)` };
  const alarms = Array.isArray(snap.alarms) ? snap.alarms : [];
  return {
    fresh: true,
    alarms: alarms
      .filter((a): a is { id: string; detail?: unknown; title?: unknown } => typeof a === "object" && a !== null && typeof (a as { id?: unknown }).id === "string")
      .map((a) => ({ id: a.id, detail: typeof a.detail === "string" ? a.detail : typeof a.title === "string" ? a.title : a.id })),
  };
}
