/*
 * The decision at every boot, for stratum1-update-commit.service: is this a
 * trial, did a trial just fail, or is nothing pending? Then, in a trial, wait
 * for good time until the deadline: commit (rauc mark-good: autoboot.txt now
 * boots this slot) or give up (record the rollback, rauc mark-bad, reboot
 * normally: the firmware starts the committed slot, which was never touched).
 * A trial that never gets this far (kernel panic, hang caught by the
 * watchdog, power cut) ends the same way: the firmware clears its one-shot
 * tryboot flag, the committed slot boots, and finds the trial armed and
 * rebooted into (trialRebooted) but not committed.
 * Everything outside is passed in, so the decisions are tested without a box.
 */
import type { Rollback } from "./bootState.js";
import type { TimeBar, TimeJudgement } from "./goodTime.js";
import type { SlotName } from "./layout.js";
import { committedSlot, type BootView } from "./tryboot.js";

export type BootDecision =
  | { kind: "steady" }
  | { kind: "armed"; slot: SlotName }
  | { kind: "trial-failed"; slot: SlotName }
  | { kind: "trial"; slot: SlotName; bar: TimeBar }
  | { kind: "unknown-boot" };

export function decideAtBoot(v: BootView, booted: SlotName | null): BootDecision {
  if (booted === null) return { kind: "unknown-boot" };
  const committed = committedSlot(v);
  if (booted !== committed) return { kind: "trial", slot: booted, bar: v.state.trialBar ?? "receiver" };
  if (v.state.trial && v.state.trial !== booted) return v.state.trialRebooted ? { kind: "trial-failed", slot: v.state.trial } : { kind: "armed", slot: v.state.trial };
  return { kind: "steady" };
}

/** The boot state after a failed trial: the slot marked bad, disarmed, the rollback recorded for the alarm. */
export function recordRollback(v: BootView, slot: SlotName, version: string, at: Date, reason: string): BootView {
  const rollback: Rollback = { slot, version, at: at.toISOString().replace(/\.\d+Z$/, "Z"), reason, acknowledged: false };
  return { ...v, state: { ...v.state, trial: null, trialBar: null, trialRebooted: false, bad: [...new Set([...v.state.bad, slot])], rollback } };
}

export interface TrialDeps {
  judge(): Promise<TimeJudgement>;
  nowMs(): number;
  sleep(ms: number): Promise<void>;
  log(line: string): void;
}

/** Waits for good time, checked every pollMs, until timeoutS has passed: good, or the last reason it was not. */
export async function awaitGoodTime(deps: TrialDeps, timeoutS: number, pollMs = 5000): Promise<TimeJudgement> {
  const deadline = deps.nowMs() + timeoutS * 1000;
  let last: TimeJudgement = { good: false, reason: "not judged yet" };
  let lastLogged = "";
  for (;;) {
    last = await deps.judge();
    if (last.good) return last;
    if (last.reason !== lastLogged) deps.log(`not yet good time: ${last.reason}`);
    lastLogged = last.reason;
    const left = deadline - deps.nowMs();
    if (left <= 0) return { good: false, reason: `no good time within ${timeoutS} s (last: ${last.reason})` };
    await deps.sleep(Math.min(pollMs, left));
  }
}
