/*
 * The receiver's own health as alarms: the configuration the box could not
 * apply, jamming, spoofing, and the receiver's time against the network's.
 * Each condition is what the receiver reports or what the box measured, held
 * against the thresholds of stratum1.conf (gps.*) carried in the facts.
 */
import type { AlarmCondition, SnapshotFacts } from "./contract.js";

function configProblems(s: SnapshotFacts): AlarmCondition | undefined {
  const c = s.gpsControl;
  const problems = c?.configure ? (c.configuration?.problems ?? []) : [];
  if (!c || problems.length === 0) return undefined;
  // Each detail already names its step and outcome ("CFG-MSG TIM-TP refused (NAK): …").
  const what = problems.map((p) => p.detail).join("; ");
  return {
    id: "gps-config",
    title: "GPS CONFIG",
    hint: "stratum1ctl gps",
    detail: `${c.receiver ?? "the receiver"} did not take ${problems.length === 1 ? "a setting" : `${problems.length} settings`}: ${what}. It runs on its own setting for ${problems.length === 1 ? "it" : "them"}; gps.configure=off stops the box configuring a receiver set up by hand`,
  };
}

function jamming(s: SnapshotFacts): AlarmCondition | undefined {
  const j = s.jamming;
  if (!j) return undefined;
  const level = s.gnssChecks.jammingLevel;
  const overLevel = level !== null && j.indicator >= level;
  if (j.state !== "critical" && !overLevel) return undefined;
  return {
    id: "jamming",
    title: "JAMMING",
    hint: "RF interference?",
    detail: `the receiver reports ${j.state === "critical" ? "critical jamming" : `a CW jamming indicator of ${j.indicator}/255 (gps.jamming-level ${level})`} (${j.source}) since ${j.since ?? "?"}: a transmitter near the antenna or on its cable; the fix and the pulse may be lost or wrong`,
  };
}

function spoofing(s: SnapshotFacts): AlarmCondition | undefined {
  const sp = s.spoofing;
  if (!s.gnssChecks.spoofingAlarm || !sp || (sp.state !== "indicated" && sp.state !== "multiple")) return undefined;
  return {
    id: "spoofing",
    title: "SPOOFING?",
    hint: "antenna/sky view",
    detail: `the receiver's spoofing detector reports ${sp.state === "multiple" ? "multiple spoofing indications" : "spoofing indicated"} (${sp.source}): its position and time may be forged; compare with the network (GNSS DISAGREES) and check what the antenna sees`,
  };
}

function disagrees(s: SnapshotFacts): AlarmCondition | undefined {
  const n = s.gnssChecks.network;
  const limitMs = s.gnssChecks.networkLimitMs;
  // Beyond the limit and beyond what the measurement itself can tell (the servers' error bounds).
  if (!n || limitMs === null || Math.abs(n.pulseMinusNetworkMs) - n.errorMs <= limitMs) return undefined;
  const ms = n.pulseMinusNetworkMs;
  return {
    id: "gnss-disagrees",
    // GNSS DISAGREES in words; the title fits the 16-column alarm row with its "1/3".
    title: "GNSS vs NET",
    hint: `${ms > 0 ? "+" : ""}${Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`} vs net`,
    detail: `GNSS disagrees with the network: the labelled pulse is ${Math.abs(ms).toFixed(1)} ms ${ms > 0 ? "ahead of" : "behind"} the median of ${n.servers} network servers (error bound ${n.errorMs.toFixed(1)} ms, gps.network-limit ${limitMs} ms): spoofing, a second labelled wrong, or a bad antenna; chrony weighs both and the network servers outvote a single bad receiver`,
  };
}

export function receiverHealthAlarms(s: SnapshotFacts): AlarmCondition[] {
  return [configProblems(s), jamming(s), spoofing(s), disagrees(s)].filter((a): a is AlarmCondition => a !== undefined);
}
