/*
 * "Good time" for committing an update: the bar the old system cleared when
 * the update was installed. A box whose pulse was labelled and chrony on it
 * must get there again (the verdict of `stratum1ctl status` is "serving");
 * a box that had only chrony synchronised (no receiver wired) must get chrony
 * synchronised. Alarms about the update itself do not count against it, or
 * an unacknowledged rollback would block every later update.
 */
import type { StatusSnapshot } from "../status/contract.js";
import { summarize } from "../status/summary.js";

/** What the trial must reach, decided at install time from the running system. */
export type TimeBar = "receiver" | "chrony";

export interface TimeJudgement {
  good: boolean;
  reason: string;
}

const chronySynced = (s: StatusSnapshot): boolean => s.chrony?.reachable === true && s.chrony.tracking != null && s.chrony.tracking.leap !== "unsynchronised";

export function judgeTime(s: StatusSnapshot, nowUs: number, bar: TimeBar): TimeJudgement {
  // The service's own summary (what stratum1ctl status and the panel say), recomputed without the update's alarms.
  const v = summarize(
    s,
    s.alarms.filter((a) => !String(a.id).startsWith("update")),
    nowUs,
  );
  if (bar === "receiver") return v.state === "serving" ? { good: true, reason: `${v.text}: serving good time` } : { good: false, reason: v.reason ?? v.text };
  return chronySynced(s) ? { good: true, reason: `chrony synchronised to ${s.chrony?.tracking?.refName ?? "a source"}` } : { good: false, reason: "chrony is not synchronised" };
}

/** The bar for a trial, from the system that installs it: what it reaches now, it must reach then. */
export function barFromRunning(s: StatusSnapshot | null, nowUs: number): TimeBar {
  return s !== null && judgeTime(s, nowUs, "receiver").good ? "receiver" : "chrony";
}
