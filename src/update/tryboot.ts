/*
 * RAUC's custom bootloader backend for the Raspberry Pi firmware's tryboot,
 * as pure functions of (autoboot.txt, the boot state, the booted slot).
 * RAUC's model (docs: "Custom bootloader backend interface") mapped onto it:
 *
 *   primary        the slot the next boot starts: the trial slot when one is
 *                  armed (booted by `reboot "0 tryboot"`), else [all]'s
 *   set-primary X  X committed already: disarm any trial. Otherwise arm X for
 *                  one trial boot ([tryboot] = X) and clear its bad mark;
 *                  [all] is not touched, so every boot but the one with the
 *                  tryboot flag still starts the committed slot
 *   state X        bad if marked bad, else good
 *   set-state X good   clears the mark; on the booted slot during its trial
 *                  (booted != [all]) it commits: [all] = X, [tryboot] = the
 *                  other. This is what `rauc status mark-good` does after a
 *                  trial that reached good time
 *   set-state X bad    marks it and disarms its trial; on the committed slot
 *                  (an operator's mark-bad) the other becomes [all] if it is
 *                  not bad itself, as a bootloader's fallback would
 */
import type { Autoboot } from "./autoboot.js";
import type { BootState } from "./bootState.js";
import { otherSlot, slotOfBootPartition, type Layout, type SlotName } from "./layout.js";

export interface BootView {
  layout: Layout;
  autoboot: Autoboot;
  state: BootState;
}

export function committedSlot(v: BootView): SlotName {
  const s = slotOfBootPartition(v.layout, v.autoboot.normal);
  if (!s) throw new Error(`autoboot.txt boots partition ${v.autoboot.normal}, which is no slot's boot partition (${v.layout.boot.A} or ${v.layout.boot.B})`);
  return s;
}

export const primarySlot = (v: BootView): SlotName => v.state.trial ?? committedSlot(v);

export const slotState = (v: BootView, s: SlotName): "good" | "bad" => (v.state.bad.includes(s) ? "bad" : "good");

/** Whether this boot is a trial: the booted slot is not the one [all] names. */
export const isTrial = (v: BootView, booted: SlotName): boolean => booted !== committedSlot(v);

const commit = (v: BootView, s: SlotName): Autoboot => ({ normal: v.layout.boot[s], tryboot: v.layout.boot[otherSlot(s)] });

export function setPrimary(v: BootView, s: SlotName): BootView {
  if (s === committedSlot(v)) return { ...v, state: { ...v.state, trial: null } };
  return { ...v, autoboot: { ...v.autoboot, tryboot: v.layout.boot[s] }, state: { ...v.state, trial: s, trialBar: null, trialRebooted: false, bad: v.state.bad.filter((b) => b !== s) } };
}

export function setState(v: BootView, s: SlotName, good: boolean, booted: SlotName | null): BootView {
  if (good) {
    const state = { ...v.state, bad: v.state.bad.filter((b) => b !== s) };
    if (booted === s && isTrial(v, s)) return { ...v, autoboot: commit(v, s), state: { ...state, trial: null } };
    return { ...v, state };
  }
  const state: BootState = { ...v.state, bad: [...new Set([...v.state.bad, s])], trial: v.state.trial === s ? null : v.state.trial };
  const other = otherSlot(s);
  if (s === committedSlot(v) && !state.bad.includes(other)) return { ...v, autoboot: commit(v, other), state };
  return { ...v, state };
}

/** The slot named by rauc.slot= on the kernel command line (cmdline.txt of the slot's boot partition says it). */
export function bootedFromCmdline(cmdline: string): SlotName | null {
  const m = /(?:^|\s)rauc\.slot=(A|B)(?:\s|$)/.exec(cmdline);
  return m ? (m[1] as SlotName) : null;
}
