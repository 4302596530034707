/*
 * cmdline.txt of a slot's boot partition names that slot's root and the slot
 * itself (rauc.slot=, which RAUC reads to know what is booted). A bundle
 * carries slot A's boot image, so after RAUC writes it into a slot, the
 * post-install handler makes its cmdline.txt point at that slot.
 */
import { partUuid, type Layout, type SlotName } from "./layout.js";

export function cmdlineForSlot(text: string, layout: Layout, slot: SlotName): string {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "" && !/^(root|rauc\.slot)=/.test(w));
  const init = words.findIndex((w) => w.startsWith("init="));
  const add = [`root=PARTUUID=${partUuid(layout, layout.root[slot])}`, `rauc.slot=${slot}`];
  // Before init= (anything after the init program could be read as its arguments by some inits).
  if (init >= 0) words.splice(init, 0, ...add);
  else words.push(...add);
  return words.join(" ") + "\n";
}
