/*
 * What the update machinery remembers across boots, beside autoboot.txt on
 * the owner's FAT partition (stratum1-update.txt): the slot armed for a trial
 * boot, the slots marked bad, and the last rollback until the operator
 * acknowledges it. Kept there and not on /data because an update never
 * writes /data, and because this is boot selection state: it belongs with
 * the file the firmware reads. key=value lines, so a person can read it from
 * a PC.
 */
import type { TimeBar } from "./goodTime.js";
import { SLOTS, type SlotName } from "./layout.js";

export interface Rollback {
  /** The slot whose trial failed, and the version it held. */
  slot: SlotName;
  version: string;
  /** ISO time of the boot that noticed it. */
  at: string;
  reason: string;
  acknowledged: boolean;
}

export interface BootState {
  /** Armed by RAUC's set-primary: the next `reboot "0 tryboot"` tries this slot once. */
  trial: SlotName | null;
  /** What the trial must reach to be committed (decided when it was installed). */
  trialBar: TimeBar | null;
  /** Set just before the tryboot reboot: back on the committed slot with this set, the trial ran and failed. */
  trialRebooted: boolean;
  bad: SlotName[];
  rollback: Rollback | null;
}

export const EMPTY_STATE: BootState = { trial: null, trialBar: null, trialRebooted: false, bad: [], rollback: null };
export const STATE_FILE = "stratum1-update.txt";

const slotOrNull = (v: string | undefined): SlotName | null => (SLOTS.includes(v as SlotName) ? (v as SlotName) : null);
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, " ").trim();

export function parseBootState(text: string): BootState {
  const kv = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z.]+)=(.*)$/.exec(line);
    if (m) kv.set(m[1]!, m[2]!.trim());
  }
  const rbSlot = slotOrNull(kv.get("rollback.slot"));
  return {
    trial: slotOrNull(kv.get("trial")),
    trialBar: kv.get("trial.bar") === "receiver" ? "receiver" : kv.get("trial.bar") === "chrony" ? "chrony" : null,
    trialRebooted: kv.get("trial.rebooted") === "yes",
    bad: (kv.get("bad") ?? "").split(/[\s,]+/).filter((s): s is SlotName => SLOTS.includes(s as SlotName)),
    rollback: rbSlot
      ? {
          slot: rbSlot,
          version: kv.get("rollback.version") ?? "unknown",
          at: kv.get("rollback.at") ?? "",
          reason: kv.get("rollback.reason") ?? "",
          acknowledged: kv.get("rollback.acknowledged") === "yes",
        }
      : null,
  };
}

export function renderBootState(s: BootState): string {
  const lines = [
    "# stratum1's update state (docs/updates.md), written by the box beside autoboot.txt. Do not edit.",
    `trial=${s.trial ?? ""}`,
    `trial.bar=${s.trial ? (s.trialBar ?? "") : ""}`,
    `trial.rebooted=${s.trial && s.trialRebooted ? "yes" : "no"}`,
    `bad=${[...new Set(s.bad)].sort().join(" ")}`,
  ];
  if (s.rollback) {
    const r = s.rollback;
    lines.push(
      `rollback.slot=${r.slot}`,
      `rollback.version=${oneLine(r.version)}`,
      `rollback.at=${r.at}`,
      `rollback.reason=${oneLine(r.reason)}`,
      `rollback.acknowledged=${r.acknowledged ? "yes" : "no"}`,
    );
  }
  return lines.join("\n") + "\n";
}
