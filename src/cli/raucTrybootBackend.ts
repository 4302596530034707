#!/usr/bin/env node
/*
 * RAUC's bootloader-custom-backend for the Raspberry Pi (system.conf:
 * bootloader=custom). RAUC calls it as
 *   get-primary | set-primary SLOT | get-state SLOT | set-state SLOT good|bad | get-current
 * with SLOT a bootname (A or B); answers on stdout, exit 0 on success. The
 * mapping onto autoboot.txt and tryboot is in src/update/tryboot.ts.
 */
import { bootedSlot, openBootStore } from "../update/bootStore.js";
import { SLOTS, type SlotName } from "../update/layout.js";
import { primarySlot, setPrimary, setState, slotState } from "../update/tryboot.js";

function slotArg(v: string | undefined): SlotName {
  if (!SLOTS.includes(v as SlotName)) throw new Error(`unknown slot '${v ?? ""}': the bootnames are ${SLOTS.join(" and ")} (system.conf)`);
  return v as SlotName;
}

function main(argv: readonly string[]): string {
  const [op, a, b] = argv;
  const store = openBootStore();
  const view = store.load();
  switch (op) {
    case "get-primary":
      return primarySlot(view);
    case "get-state":
      return slotState(view, slotArg(a));
    case "get-current": {
      const booted = bootedSlot();
      if (!booted) throw new Error("no rauc.slot= on the kernel command line: cmdline.txt on the slot's boot partition lacks it");
      return booted;
    }
    case "set-primary":
      store.save(view, setPrimary(view, slotArg(a)));
      return "";
    case "set-state":
      if (b !== "good" && b !== "bad") throw new Error(`set-state needs good or bad (got '${b ?? ""}')`);
      store.save(view, setState(view, slotArg(a), b === "good", bootedSlot()));
      return "";
    default:
      throw new Error(`usage: rauc-tryboot-backend get-primary | set-primary SLOT | get-state SLOT | set-state SLOT good|bad | get-current (got '${op ?? ""}')`);
  }
}

try {
  const out = main(process.argv.slice(2));
  if (out !== "") process.stdout.write(out + "\n");
} catch (err) {
  process.stderr.write(`rauc-tryboot-backend: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
