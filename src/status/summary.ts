/*
 * What the box is doing, said once: the label the panel shows ("LOCKED PPS",
 * "HOLDOVER 3m", "NO FIX", …) and whether it is serving good time, with the
 * reason when it is not. The front panel, stratum1ctl (and its exit code),
 * systemd's status line and monitoring all read this; none derives its own.
 *
 * Serving means: no alarm that warns (a scheduled leap second only tells),
 * chrony read and synchronised, and on the pulse when one is configured (on
 * the receiver's time when none is). Anything else is degraded, with the
 * most fundamental reason first.
 */
import type { Alarm, AlarmId, LabelId, SnapshotFacts, Summary } from "./contract.js";

const TEXT: Record<Exclude<LabelId, "holdover" | "utc-wait">, string> = {
  "no-gps-data": "NO GPS DATA",
  "no-fix": "NO FIX",
  "waiting-gps": "WAITING GPS",
  "locked-pps": "LOCKED PPS",
  "pps-syncing": "PPS SYNCING",
  "nmea-only": "NMEA ONLY",
  syncing: "SYNCING",
};

/**
 * Alarms that tell, not warn: a scheduled leap second is no degradation. The
 * fleet gate's is about the route to this box, not its time: the gate judges
 * the same time (chrony, these alarms) with hysteresis, and counting it again
 * would hold the box degraded for the gate's hold-down after the time is
 * good, and keep an update's trial boot from being committed.
 */
const INFORMATIONAL: ReadonlySet<AlarmId> = new Set(["leap-pending", "leap-list", "fleet"]);

/** An age in at most 3 characters: 0m..99m, then hours, then days. */
export function shortAge(s: number): string {
  const m = Math.floor(s / 60);
  if (m < 100) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 100 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

function label(f: SnapshotFacts, alarms: readonly Alarm[], nowUs: number): { label: LabelId; text: string } {
  const has = (id: AlarmId): boolean => alarms.some((a) => a.id === id);
  const plain = (l: Exclude<LabelId, "holdover" | "utc-wait">): { label: LabelId; text: string } => ({ label: l, text: TEXT[l] });
  // chrony serving from the Pi's clock is what the box is doing, whatever the alarm says about why.
  if (f.holdover.active) return { label: "holdover", text: `HOLDOVER ${shortAge(f.holdover.ageS ?? 0)}` };
  if (has("no-gps-data")) return plain("no-gps-data");
  if (has("no-fix")) return plain("no-fix");
  // Before the first epoch (or before a silent receiver is an alarm) "SYNCING" would claim progress that is not there.
  if (f.time.state === "waiting") return plain("waiting-gps");
  // A fix, and a UTC the receiver does not yet vouch for (or an NMEA receiver held off after its cold start).
  if (f.time.state === "utc-unconfirmed") return { label: "utc-wait", text: "UTC WAIT" };
  if (f.time.state === "utc-holdoff") return { label: "utc-wait", text: `UTC WAIT ${f.time.utcHoldoffLeftS ?? ""}s` };
  if (f.pps?.state === "holdover") {
    const ageS = f.pps.since ? nowUs / 1e6 - Date.parse(f.pps.since) / 1000 : 0;
    return { label: "holdover", text: `HOLDOVER ${shortAge(ageS)}` };
  }
  const t = f.chrony?.tracking;
  const chronyOnPps = t !== null && t !== undefined && t.leap !== "unsynchronised" && t.refName === "PPS";
  if (f.pps?.state === "locked") return plain(chronyOnPps ? "locked-pps" : "pps-syncing");
  if (f.time.state === "ok") return plain("nmea-only");
  return plain("syncing");
}

function degradedBecause(f: SnapshotFacts, alarms: readonly Alarm[], l: LabelId): string | null {
  const alarm = alarms.find((a) => !INFORMATIONAL.has(a.id));
  if (alarm) return `${alarm.title}: ${alarm.detail}`;
  const t = f.chrony?.tracking;
  // The alarms for these wait 3 s; the verdict does not.
  if (f.chrony && !f.chrony.reachable) return `chrony cannot be read: ${f.chrony.error ?? "no answer yet"}`;
  if (f.chrony && (!t || t.leap === "unsynchronised")) return "chrony is not synchronised yet";
  if (f.pps) {
    if (l === "locked-pps") return null;
    if (l === "pps-syncing") return `the pulse is labelled but chrony is on ${t?.refName || "nothing"}, not on it yet`;
    return `the pulse is ${f.pps.state}: ${f.pps.detail}`;
  }
  if (f.time.state === "ok") return null;
  return `the receiver's time is refused: ${f.time.state}: ${f.time.detail}`;
}

export function summarize(f: SnapshotFacts, alarms: readonly Alarm[], nowUs: number): Summary {
  const l = label(f, alarms, nowUs);
  const reason = degradedBecause(f, alarms, l.label);
  return { ...l, state: reason === null ? "serving" : "degraded", reason };
}
