/*
 * "Good time" for committing an update: the bar the old system cleared when
 * the update was installed. A box whose pulse was labelled and chrony on it
 * must get there again (the verdict of `stratum1ctl status` is "serving");
 * a box that had only chrony synchronised (no receiver wired) must get chrony
 * synchronised. Alarms about the update itself do not count against it, or
 * an unacknowledged rollback would block every later update.
 */
import { judge } from "../cli/ctl/verdict.js";
import type { StatusSnapshot } from "../status/snapshot.js";

/** What the trial must reach, decided at install time from the running system. */
export type TimeBar = "receiver" | "chrony";

export interface TimeJudgement {
  good: boolean;
  reason: string;
}

const chronySynced = (s: StatusSnapshot): boolean => s.chrony !== null && s.chrony.reachable && s.chrony.tracking !== null && s.chrony.tracking !== undefined && s.chrony.tracking.leap !== "unsynchronised";

export function judgeTime(s: StatusSnapshot, nowUs: number, bar: TimeBar): TimeJudgement {
  const timeOnly: StatusSnapshot = { ...s, alarms: s.alarms.filter((a) => !String(a.id).startsWith("update")) };
  const v = judge(timeOnly, nowUs);
  if (bar === "receiver") return v.exitCode === 0 ? { good: true, reason: `${v.label}: serving good time` } : { good: false, reason: v.reason ?? v.label };
  return chronySynced(s) ? { good: true, reason: `chrony synchronised to ${s.chrony?.tracking?.refName ?? "a source"}` } : { good: false, reason: "chrony is not synchronised" };
}

/** The bar for a trial, from the system that installs it: what it reaches now, it must reach then. */
export function barFromRunning(s: StatusSnapshot | null, nowUs: number): TimeBar {
  return s !== null && judgeTime(s, nowUs, "receiver").good ? "receiver" : "chrony";
}
