/*
 * Which pulse a receiver's time names, with pps.edge=auto. Nearly every
 * receiver (u-blox, MediaTek, SiRF, Quectel, Garmin) sends the time of the
 * pulse just before its words; a few announce the next pulse instead, and
 * labelling those as "after" puts every second one off. Only a clock that
 * does not come from this box can tell them apart, and at boot a Pi has
 * none (no RTC, chrony not yet on network servers). So:
 *   - without a verified clock the direction is assumed "after", and said to
 *     be assumed (status, panel, log);
 *   - with one (chrony synchronised to network servers, its estimate of the
 *     system clock's error small) each label is checked: agreement verifies
 *     the direction and it is remembered for this receiver on persistent
 *     storage; a label a whole second from that clock is a contradiction:
 *     labelling stops at once and stays stopped, with the fix named
 *     (pps.edge=before), until the receiver is replaced or the setting
 *     changed;
 *   - a direction verified once, now or on an earlier boot, is used while
 *     the clock cannot be checked (a host clock stepped a second off by hand
 *     does not overrule it; a verified clock still can).
 * With pps.edge=after or before nothing is checked: the operator has said.
 */
import type { PpsEdgeStatus } from "../status/contract.js";
import type { EdgeMode } from "./secondAssociator.js";

export type EdgeBasis = PpsEdgeStatus["basis"];

/** Where verified directions are kept across boots (state.dir). */
export interface EdgeMemory {
  recall(receiver: string): "after" | undefined;
  remember(receiver: string): void;
}

export interface EdgeDirectionOptions {
  mode: EdgeMode;
  /** A clock that does not come from this box's own refclocks, within 0.1 s. */
  clockVerified: () => boolean;
  /** What names the receiver on this port (model and firmware, else the port). */
  receiver: () => string;
  memory?: EdgeMemory;
  log: (level: "info" | "warn" | "error", line: string) => void;
}

/** A label off by about a whole second from a verified clock names the other pulse. */
const CONTRADICTION = { minS: 0.7, maxS: 1.3 };
/** A label this close to a verified clock confirms the direction. */
const AGREEMENT_S = 0.3;

export class EdgeDirection {
  private basis: EdgeBasis;
  private contradiction: string | undefined;

  constructor(private readonly opts: EdgeDirectionOptions) {
    this.basis = opts.mode === "auto" ? "assumed" : "configured";
  }

  /** Whether a label whose second lies `hostErrS` from the host clock may be used; else why not. */
  judge(hostErrS: number): { ok: true } | { ok: false; detail: string } {
    if (this.opts.mode !== "auto") return { ok: true };
    if (this.contradiction) return { ok: false, detail: this.contradiction };
    if (this.basis === "assumed") this.recall();
    if (!this.opts.clockVerified()) return { ok: true };
    const off = Math.abs(hostErrS);
    if (off < AGREEMENT_S) {
      if (this.basis !== "verified") {
        this.basis = "verified";
        this.opts.memory?.remember(this.opts.receiver());
        this.opts.log("info", `pps: edge direction verified: the time of ${this.opts.receiver()} follows its pulse (checked against chrony's network time); remembered`);
      }
      return { ok: true };
    }
    if (off > CONTRADICTION.minS && off < CONTRADICTION.maxS) {
      this.basis = "contradicted";
      this.contradiction = `a verified clock (chrony on network servers) puts every label ${hostErrS > 0 ? "one second early" : "one second late"}: the time of ${this.opts.receiver()} names the pulse ${hostErrS > 0 ? "after" : "before"} its words. Labelling stopped; set pps.edge=${hostErrS > 0 ? "before" : "after"}`;
      this.opts.log("error", `pps: ${this.contradiction}`);
      return { ok: false, detail: this.contradiction };
    }
    // A verified clock off by a fraction of a second says nothing about the direction.
    return { ok: true };
  }

  /** The receiver was unplugged: the next one may be another, on its own record. */
  reset(): void {
    if (this.opts.mode !== "auto") return;
    this.basis = "assumed";
    this.contradiction = undefined;
  }

  status(): PpsEdgeStatus {
    return { direction: this.opts.mode === "before" ? "before" : "after", basis: this.basis };
  }

  private recall(): void {
    if (this.opts.memory?.recall(this.opts.receiver()) !== "after") return;
    this.basis = "remembered";
    this.opts.log("info", `pps: edge direction of ${this.opts.receiver()} remembered from an earlier check: its time follows its pulse`);
  }
}
