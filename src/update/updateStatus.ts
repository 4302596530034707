/*
 * The update machinery's status for the rest of the box: /run/stratum1-update/status.json
 * (its own directory: stratum1d's RuntimeDirectory /run/stratum1 is emptied whenever the
 * service stops),
 * rewritten by `stratum1ctl update` (install progress, acknowledge) and by the
 * commit unit at every boot. The service reads it for its status, metrics and
 * front panel (version, rollback alarm, install progress); stratum1ctl update
 * status prints it. World-readable, written by root, replaced atomically.
 * The contract is this type; `version` changes only with an incompatible change.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Rollback } from "./bootState.js";
import type { SlotName } from "./layout.js";

export const UPDATE_STATUS_PATH = "/run/stratum1-update/status.json";

export interface SlotStatus {
  name: SlotName;
  /** What is installed there: the bundle's version (RAUC's slot status), "unknown" for a slot never written by RAUC. */
  version: string;
  /** The boot selection's mark: bad after a failed trial or a mark-bad. */
  state: "good" | "bad";
  booted: boolean;
  /** The slot autoboot.txt boots normally. */
  committed: boolean;
}

export type UpdatePhase =
  /** Booted from the committed slot, nothing pending. */
  | "committed"
  /** A slot is armed: the next tryboot reboot tries it. */
  | "trial-armed"
  /** This boot is a trial: waiting for good time until `deadline`. */
  | "trial"
  /** `stratum1ctl update install` is writing the inactive slot. */
  | "installing";

export interface UpdateStatus {
  version: 1;
  updatedAt: string;
  /** This system's build (/opt/stratum1/BUILD) and the slot it booted from. */
  running: { version: string; slot: SlotName | null };
  phase: UpdatePhase;
  /** Armed or running trial; deadline only while the trial boot waits for good time. */
  trial: { slot: SlotName; deadline: string | null } | null;
  /** Install progress for the LCD: percent 0-100 and RAUC's step, while phase is "installing". */
  install: { percent: number; step: string; bundle: string } | null;
  /** The last rollback; an alarm while acknowledged is false ("stratum1ctl update acknowledge"). */
  rollback: Rollback | null;
  slots: SlotStatus[];
}

export function writeUpdateStatus(s: UpdateStatus, path = UPDATE_STATUS_PATH): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + "\n", { mode: 0o644 });
  renameSync(tmp, path);
}

export function readUpdateStatus(path = UPDATE_STATUS_PATH): UpdateStatus | null {
  try {
    const s = JSON.parse(readFileSync(path, "utf8")) as UpdateStatus;
    return s.version === 1 ? s : null;
  } catch {
    return null;
  }
}

/** What a rollback says, in `stratum1ctl update status` and as stratum1d's alarm (status/alarms.ts). */
export function rollbackDetail(r: { version: string; slot: string; at: string; reason: string }, running: string): string {
  return `update to ${r.version} (slot ${r.slot}) was rolled back at ${r.at}: ${r.reason}; running ${running}. Acknowledge: stratum1ctl update acknowledge`;
}

/** The one line `stratum1ctl update status` shows for an unacknowledged rollback, or null. */
export function rollbackAlarm(s: UpdateStatus | null): { title: string; detail: string } | null {
  const r = s?.rollback;
  if (!s || !r || r.acknowledged) return null;
  return { title: "ROLLED BACK", detail: rollbackDetail(r, s.running.version) };
}
