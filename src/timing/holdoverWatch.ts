/*
 * Holdover as clients live it: chrony still synchronised to this box's own
 * refclocks, but no sample has reached it for a while (the receiver lost
 * its fix, its pulse, or its wire), so chrony serves from the Pi's crystal
 * on its last frequency. The box says how long that has lasted, the error
 * bound chrony itself tells clients (root delay / 2 + root dispersion,
 * which grows by maxclockerror every second), and when chrony will give up
 * (holdover.trust, as chrony's fallbackdrift counts it). chrony arms that
 * limit only after it was synchronised for twice as long; a box holding
 * over sooner after a boot serves on, and the status says so.
 */
import type { ChronyTracking, HoldoverStatus } from "../status/contract.js";

/** No sample delivered for this long while chrony is on our refclocks: holdover (the PPS refclock polls every 4 s). */
const HOLDOVER_AFTER_US = 10e6;

const OWN_REFCLOCKS: ReadonlySet<string> = new Set(["PPS", "NMEA"]);

export class HoldoverWatch {
  /** Since when samples have reached chrony without a gap while it was on them. */
  private lockedSinceUs: number | undefined;
  private lastDeliveredUs: number | undefined;
  /** The holdover in progress, and whether chrony had armed its limit when it began. */
  private holding: { sinceUs: number; armed: boolean } | undefined;
  /** chrony gave up: it went unsynchronised during the holdover. */
  private expiredAtUs: number | undefined;

  /** `limitS`: holdover.trust as chrony counts it (null: off). */
  constructor(private readonly limitS: number | null) {}

  /** Once a second: when the refclock chrony is on last got a sample, and chrony's tracking (null when not read). */
  update(nowUs: number, lastDeliveredTo: (refid: "PPS" | "NMEA") => number | undefined, tracking: ChronyTracking | null | undefined): HoldoverStatus {
    const onOwn = !!tracking && tracking.leap !== "unsynchronised" && OWN_REFCLOCKS.has(tracking.refName);
    // The pulse's refclock when chrony is on it: NMEA samples still flowing beside a dead pulse do not feed chrony.
    const lastDeliveredUs = lastDeliveredTo(tracking?.refName === "NMEA" ? "NMEA" : "PPS");
    const fresh = lastDeliveredUs !== undefined && nowUs - lastDeliveredUs <= HOLDOVER_AFTER_US;
    this.lastDeliveredUs = lastDeliveredUs;
    if (fresh && onOwn) {
      this.lockedSinceUs ??= nowUs;
      this.holding = undefined;
      this.expiredAtUs = undefined;
    } else if (!fresh && onOwn && lastDeliveredUs !== undefined) {
      if (!this.holding) {
        const lockedS = this.lockedSinceUs === undefined ? 0 : (lastDeliveredUs - this.lockedSinceUs) / 1e6;
        this.holding = { sinceUs: lastDeliveredUs, armed: this.limitS !== null && lockedS >= 2 * this.limitS };
      }
      this.lockedSinceUs = undefined;
    } else {
      if (this.holding && tracking?.leap === "unsynchronised") this.expiredAtUs = nowUs;
      this.holding = undefined;
      if (!fresh) this.lockedSinceUs = undefined;
    }
    return this.status(nowUs, tracking);
  }

  private status(nowUs: number, tracking: ChronyTracking | null | undefined): HoldoverStatus {
    const h = this.holding;
    const expired = this.expiredAtUs !== undefined ? new Date(this.expiredAtUs / 1000).toISOString() : null;
    if (!h || !tracking) return { active: false, since: null, ageS: null, boundS: null, limitS: this.limitS, leftS: null, armed: null, expiredAt: expired };
    const ageS = Math.round((nowUs - h.sinceUs) / 1e6);
    return {
      active: true,
      since: new Date(h.sinceUs / 1000).toISOString(),
      ageS,
      boundS: tracking.rootDelayS / 2 + tracking.rootDispersionS,
      limitS: this.limitS,
      leftS: this.limitS !== null && h.armed ? Math.max(0, this.limitS - ageS) : null,
      armed: this.limitS === null ? null : h.armed,
      expiredAt: null,
    };
  }

  /** The last delivery, for tests and the log. */
  get lastSampleUs(): number | undefined {
    return this.lastDeliveredUs;
  }
}
