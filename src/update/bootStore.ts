/*
 * Loads and saves the boot selection (autoboot.txt and stratum1-update.txt)
 * on the owner's FAT partition, writing only what changed.
 */
import { readFileSync } from "node:fs";
import { parseAutoboot, renderAutoboot } from "./autoboot.js";
import { EMPTY_STATE, parseBootState, renderBootState, STATE_FILE } from "./bootState.js";
import { fatPartition, type FatPartition } from "./fatFile.js";
import { loadLayout, partitionDevice, type Layout, type SlotName } from "./layout.js";
import { bootedFromCmdline, type BootView } from "./tryboot.js";

export interface BootStore {
  layout: Layout;
  device: string;
  load(): BootView;
  save(before: BootView, after: BootView): void;
}

export function openBootStore(layout: Layout = loadLayout(), device = partitionDevice(layout, layout.bootSel)): BootStore {
  const fat: FatPartition = fatPartition(device);
  return {
    layout,
    device,
    load() {
      const auto = fat.read("autoboot.txt");
      if (auto === null) throw new Error(`no autoboot.txt on ${device}: this card was not made with the A/B layout, or the file was deleted (docs/updates.md, "Repairing autoboot.txt")`);
      const state = fat.read(STATE_FILE);
      return { layout, autoboot: parseAutoboot(auto), state: state === null ? EMPTY_STATE : parseBootState(state) };
    },
    save(before, after) {
      if (renderBootState(before.state) !== renderBootState(after.state)) fat.write(STATE_FILE, renderBootState(after.state));
      if (renderAutoboot(before.autoboot) !== renderAutoboot(after.autoboot)) fat.write("autoboot.txt", renderAutoboot(after.autoboot));
    },
  };
}

/** The slot this system was booted from, from the kernel command line (cmdline.txt's rauc.slot=). */
export function bootedSlot(cmdlinePath = "/proc/cmdline"): SlotName | null {
  try {
    return bootedFromCmdline(readFileSync(cmdlinePath, "utf8"));
  } catch {
    return null;
  }
}
