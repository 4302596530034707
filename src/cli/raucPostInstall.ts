#!/usr/bin/env node
/*
 * RAUC's post-install handler (system.conf [handlers] post-install): after a
 * bundle is written, points the new slot's cmdline.txt at the new slot's root
 * and names the slot (rauc.slot=). RAUC passes the slots it wrote as
 * RAUC_TARGET_SLOTS (indices) with RAUC_SLOT_CLASS_n and RAUC_SLOT_DEVICE_n;
 * a boot slot has no bootname of its own, its parent (RAUC_SLOT_PARENT_n, a
 * root slot listed in RAUC_SLOTS) has it.
 */
import { cmdlineForSlot } from "../update/cmdline.js";
import { fatPartition } from "../update/fatFile.js";
import { loadLayout, SLOTS, type SlotName } from "../update/layout.js";

function main(env: NodeJS.ProcessEnv): void {
  const layout = loadLayout();
  const targets = (env.RAUC_TARGET_SLOTS ?? "").split(/\s+/).filter((s) => s !== "");
  let done = 0;
  for (const i of targets) {
    if (env[`RAUC_SLOT_CLASS_${i}`] !== "boot") continue;
    const device = env[`RAUC_SLOT_DEVICE_${i}`];
    const parent = env[`RAUC_SLOT_PARENT_${i}`];
    const j = (env.RAUC_SLOTS ?? "").split(/\s+/).find((k) => k !== "" && env[`RAUC_SLOT_NAME_${k}`] === parent);
    const slot = (j === undefined ? undefined : env[`RAUC_SLOT_BOOTNAME_${j}`]) as SlotName | undefined;
    if (!device || !slot || !SLOTS.includes(slot)) throw new Error(`boot slot ${i}: RAUC gave device '${device ?? ""}' and bootname '${slot ?? ""}'`);
    const fat = fatPartition(device);
    const text = fat.read("cmdline.txt");
    if (text === null) throw new Error(`no cmdline.txt on ${device}: the bundle's boot image is not a stratum1 boot partition`);
    fat.write("cmdline.txt", cmdlineForSlot(text, layout, slot));
    process.stdout.write(`post-install: ${device} (slot ${slot}) boots root ${layout.root[slot]}\n`);
    done++;
  }
  if (done === 0) throw new Error(`no boot slot among the targets (${targets.join(" ") || "none"}): the bundle must carry boot.vfat`);
}

try {
  main(process.env);
} catch (err) {
  process.stderr.write(`stratum1 post-install: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
