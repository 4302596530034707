/*
 * The card's A/B layout as the box knows it: image/layout.env, installed as
 * /usr/share/stratum1/layout.env, is the one place that numbers the
 * partitions; the image build, RAUC's system.conf and this module all read it.
 */
import { readFileSync } from "node:fs";

export type SlotName = "A" | "B";
export const SLOTS: readonly SlotName[] = ["A", "B"];
export const otherSlot = (s: SlotName): SlotName => (s === "A" ? "B" : "A");

export interface Layout {
  diskId: string;
  /** Partition numbers: the owner's FAT partition (autoboot.txt), each slot's boot and root. */
  bootSel: number;
  boot: Record<SlotName, number>;
  root: Record<SlotName, number>;
  data: number;
}

export const LAYOUT_PATH = "/usr/share/stratum1/layout.env";

export function parseLayout(text: string): Layout {
  const env = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(\S*)\s*$/.exec(line.trim());
    if (m) env.set(m[1]!, m[2]!);
  }
  const num = (key: string): number => {
    const v = Number(env.get(key));
    if (!Number.isInteger(v) || v < 1) throw new Error(`layout: ${key} is missing or not a partition number (${env.get(key) ?? "absent"})`);
    return v;
  };
  const diskId = env.get("DISK_ID") ?? "";
  if (!/^[0-9a-f]{8}$/.test(diskId)) throw new Error(`layout: DISK_ID must be 8 hex digits (is '${diskId}')`);
  return {
    diskId,
    bootSel: num("PART_BOOTSEL"),
    boot: { A: num("PART_BOOT_A"), B: num("PART_BOOT_B") },
    root: { A: num("PART_ROOT_A"), B: num("PART_ROOT_B") },
    data: num("PART_DATA"),
  };
}

export const loadLayout = (path = LAYOUT_PATH): Layout => parseLayout(readFileSync(path, "utf8"));

/** The device a partition appears as on the box (udev's by-partuuid link; MBR PARTUUID = disk id - number). */
export const partitionDevice = (layout: Layout, n: number): string => `/dev/disk/by-partuuid/${partUuid(layout, n)}`;
export const partUuid = (layout: Layout, n: number): string => `${layout.diskId}-${String(n).padStart(2, "0")}`;

/** Which slot a boot partition number belongs to, or null for any other partition. */
export function slotOfBootPartition(layout: Layout, n: number): SlotName | null {
  return SLOTS.find((s) => layout.boot[s] === n) ?? null;
}
