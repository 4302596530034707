/*
 * The gate's one decision: is this node's time good enough to serve the
 * fleet's addresses, from one check's facts. Pure: facts and thresholds in,
 * a level and its reasons out; the hysteresis (gateMemory.ts) and the kernel
 * (addressPlan.ts, hal's ServiceAddresses) come after it.
 *
 * chrony is the authority: it is what answers the clients. Its tracking says
 * whether it is synchronised at all (leap status), how far its clock is from
 * its reference now (offset), how far from true time it may be (root
 * distance: half the round trip to the primary reference plus the
 * dispersion, which chrony grows with the time since its last update, so a
 * node in holdover drifts towards "bad" on its own), how long ago it last
 * updated the clock, and how far down the chain of references it is
 * (stratum). Past holdover.trust without a source chrony itself turns
 * "unsynchronised" (fallbackdrift), which this reads as bad; fleet.bad-age
 * is the gate's own bound behind it.
 *
 * On a box with a receiver, stratum1d's alarms (no fix, no pulse, antenna,
 * receiver date) say the reference behind chrony is failing before chrony's
 * figures show it: the node degrades, so clients move to a healthy node
 * while its time is still good; they never make it bad on their own.
 */
import type { ChronyLeap } from "../status/contract.js";

export type HealthLevel = "healthy" | "degraded" | "bad";

/** Worst first in comparisons: rank(bad) > rank(degraded) > rank(healthy). */
export const rank = (l: HealthLevel): number => (l === "bad" ? 2 : l === "degraded" ? 1 : 0);
export const worse = (a: HealthLevel, b: HealthLevel): HealthLevel => (rank(a) >= rank(b) ? a : b);

export interface TrackingFacts {
  leap: ChronyLeap;
  stratum: number;
  refName: string;
  /** The local clock's offset from chrony's idea of true time, s. */
  systemOffsetS: number;
  rootDelayS: number;
  rootDispersionS: number;
  /** Seconds since chrony last updated the clock; null before the first update. */
  sinceUpdateS: number | null;
}

export type ChronyFacts = { reachable: true; tracking: TrackingFacts } | { reachable: false; error: string };

/** What stratum1d says of the receiver side; null on a node without one (fleet.receiver = off). */
export type BoxFacts = { fresh: true; alarms: ReadonlyArray<{ id: string; detail: string }> } | { fresh: false; why: string };

export interface CheckFacts {
  chrony: ChronyFacts;
  box: BoxFacts | null;
}

export interface Thresholds {
  badOffsetS: number;
  badDistanceS: number;
  badStratum: number;
  badAgeS: number;
  degradedOffsetS: number;
  degradedDistanceS: number;
  degradedStratum: number;
}

export interface Finding {
  level: Exclude<HealthLevel, "healthy">;
  /** A stable name for counting and metrics: "chrony-unreachable", "offset", … */
  code: string;
  /** One sentence for the log, the status and the panel. */
  reason: string;
}

export interface Verdict {
  level: HealthLevel;
  /** Worst first; empty when healthy. */
  findings: Finding[];
}

/**
 * stratum1d's alarms about the receiver side, the ones that degrade a box. Named
 * rather than "all but some": chrony's own alarms are judged from chrony's
 * figures, a pending leap is normal, and an alarm added later (the leap
 * list's, say) is the host's business, not a reason to move the fleet's clients.
 */
// The receiver's time in doubt (spoofing indicated, the pulse against the network) degrades the node too: it
// keeps serving only when no node with undoubted time is left.
const RECEIVER_ALARMS = new Set(["no-gps-data", "antenna-short", "antenna-open", "no-fix", "receiver-date", "no-pps", "degraded", "spoofing", "gnss-disagrees", "jamming"]);

const ms = (s: number): string => `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms`;

export const rootDistanceS = (t: Pick<TrackingFacts, "rootDelayS" | "rootDispersionS">): number => t.rootDelayS / 2 + t.rootDispersionS;

export function judge(facts: CheckFacts, th: Thresholds): Verdict {
  const findings: Finding[] = [];
  const bad = (code: string, reason: string): void => void findings.push({ level: "bad", code, reason });
  const degraded = (code: string, reason: string): void => void findings.push({ level: "degraded", code, reason });

  const c = facts.chrony;
  if (!c.reachable) bad("chrony-unreachable", `chronyd does not answer (${c.error}): no one serves time here`);
  else {
    const t = c.tracking;
    const offset = Math.abs(t.systemOffsetS);
    const distance = rootDistanceS(t);
    if (t.leap === "unsynchronised") bad("unsynchronised", "chrony is not synchronised (leap status unsynchronised): its answers tell clients not to use them");
    else {
      if (t.stratum >= th.badStratum) bad("stratum", `stratum ${t.stratum} (reference ${t.refName}) is at or past ${th.badStratum}`);
      else if (t.stratum >= th.degradedStratum) degraded("stratum", `stratum ${t.stratum} (reference ${t.refName}) is at or past ${th.degradedStratum}`);
      if (offset > th.badOffsetS) bad("offset", `the clock is ${ms(offset)} from chrony's reference, past ${ms(th.badOffsetS)}`);
      else if (offset > th.degradedOffsetS) degraded("offset", `the clock is ${ms(offset)} from chrony's reference, past ${ms(th.degradedOffsetS)}`);
      if (distance > th.badDistanceS) bad("distance", `root distance ${ms(distance)} is past ${ms(th.badDistanceS)}`);
      else if (distance > th.degradedDistanceS) degraded("distance", `root distance ${ms(distance)} is past ${ms(th.degradedDistanceS)}`);
      if (t.sinceUpdateS === null) bad("never-updated", "chrony has not updated the clock yet");
      else if (t.sinceUpdateS > th.badAgeS) bad("no-update", `chrony last updated the clock ${Math.round(t.sinceUpdateS)} s ago, past ${th.badAgeS} s: every source is lost`);
    }
  }

  const box = facts.box;
  if (box && !box.fresh) degraded("receiver-unknown", `the receiver's state is unknown: ${box.why}`);
  else if (box?.fresh) for (const a of box.alarms) if (RECEIVER_ALARMS.has(a.id)) degraded(`receiver:${a.id}`, a.detail);

  findings.sort((a, b) => rank(b.level) - rank(a.level));
  return { level: findings[0]?.level ?? "healthy", findings };
}
