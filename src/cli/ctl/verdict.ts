/*
 * The answer stratum1ctl status leads with: is this box serving good time?
 * The phrase is the front panel's (syncLabel), so the LCD and the SSH view
 * never disagree; the exit code makes it usable from monitoring:
 *   0  serving good time: chrony synchronised, on the pulse when one is
 *      configured (on NMEA when none is), no alarm
 *   1  degraded: an alarm, holdover, chrony not (yet) on the pulse, …
 *   2  not running: no snapshot, or one the service stopped rewriting
 */
import { syncLabel } from "../../display/pages.js";
import type { StatusSnapshot } from "../../status/snapshot.js";

export type ServingState = "serving" | "degraded" | "not-running";

export interface Verdict {
  state: ServingState;
  /** LOCKED PPS, NMEA ONLY, HOLDOVER 3m, NO FIX, … or NOT RUNNING. */
  label: string;
  exitCode: 0 | 1 | 2;
  /** Why it is not "serving", in one sentence; null when it is. */
  reason: string | null;
}

/** Alarms that tell, not warn: a scheduled leap second is no degradation. */
const INFORMATIONAL = new Set(["leap-pending"]);

export const NOT_RUNNING = (reason: string): Verdict => ({ state: "not-running", label: "NOT RUNNING", exitCode: 2, reason });

export function judge(s: StatusSnapshot, nowUs: number): Verdict {
  const label = syncLabel(s, nowUs);
  const degraded = (reason: string): Verdict => ({ state: "degraded", label, exitCode: 1, reason });
  const alarm = s.alarms.find((a) => !INFORMATIONAL.has(a.id));
  if (alarm) return degraded(`${alarm.title}: ${alarm.detail}`);
  const t = s.chrony?.tracking;
  // The alarm for these waits 3 s; the verdict does not.
  if (s.chrony && !s.chrony.reachable) return degraded(`chrony cannot be read: ${s.chrony.error ?? "no answer yet"}`);
  if (s.chrony && (!t || t.leap === "unsynchronised")) return degraded("chrony is not synchronised yet");
  if (s.pps) {
    if (label === "LOCKED PPS") return { state: "serving", label, exitCode: 0, reason: null };
    if (label === "PPS SYNCING") return degraded(`the pulse is labelled but chrony is on ${t?.refName ?? "nothing"}, not on it yet`);
    return degraded(`the pulse is ${s.pps.state}: ${s.pps.detail}`);
  }
  if (s.time.state === "ok") return { state: "serving", label, exitCode: 0, reason: null };
  return degraded(`the receiver's time is refused: ${s.time.state}: ${s.time.detail}`);
}
