/*
 * Whether the receiver's UTC can be trusted yet, beyond its own "time
 * valid". GPS time is right as soon as a receiver has a fix; UTC needs the
 * leap-second count from the GPS UTC parameters, broadcast once every 12.5
 * minutes (page 18 of subframe 4). A receiver fresh from a cold start may
 * report a valid fix with its firmware's default count for those minutes
 * (satpulse#175): a UTC second off by every leap second since the firmware
 * was built, and the pulse labelled with it.
 *   - A receiver that can say (u-blox: NAV-TIMEUTC validUTC, NAV-TIMELS
 *     validCurrLs, NAV-PVT confirmedDate/Time) is believed when it says so,
 *     and refused while it says not (`utc-unconfirmed`).
 *   - One that cannot (NMEA only) is held off after a cold start the box saw
 *     (epochs without a fix before the first fix since the port opened) for
 *     `time.utc-holdoff` seconds from that first fix (`utc-holdoff`, with the
 *     time left), unless a verified clock (chrony synchronised to network
 *     servers) agrees with it sooner, ten epochs in a row. A receiver that already has a fix when
 *     the service (re)starts has had its parameters for a while: no hold-off.
 */
import type { Epoch } from "../gnss/epoch.js";
import { isRealFix } from "../gnss/report.js";

export interface UtcTrustOptions {
  holdoffS: number;
  /** Whether the host clock is verified (chrony on network servers) and within a second of this epoch's time. */
  verifiedClockAgrees: (utcS: number, rxUs: number) => boolean;
}

/** Epochs in a row the verified clock must agree with: one lucky epoch of a receiver with a very short delay proves nothing. */
const AGREEING_EPOCHS = 10;

export type UtcRefusal = { reason: "utc-unconfirmed" | "utc-holdoff"; detail: string };

export class UtcTrust {
  /** The receiver has said, in some message, whether it vouches for its UTC. */
  private canVouch = false;
  /** What it said in the last whole epoch: u-blox prints NAV-TIMEUTC after the NMEA an epoch is decided on. */
  private lastVouched: boolean | undefined;
  private sawWithoutFix = false;
  private hadFix = false;
  private holdoffUntilUs: number | undefined;
  private agreed = 0;
  /** Why the hold-off ended, once, for the log. */
  ended: string | undefined;

  constructor(private readonly opts: UtcTrustOptions) {}

  /** The port was (re)opened: whatever comes next may be a receiver that was power-cycled. */
  reset(): void {
    // Perhaps another receiver: what it can say is learned again.
    this.canVouch = false;
    this.lastVouched = undefined;
    this.sawWithoutFix = false;
    this.hadFix = false;
    this.holdoffUntilUs = undefined;
    this.agreed = 0;
  }

  /** Every epoch once complete: whether the receiver vouched for its UTC in it. */
  heard(e: Epoch): void {
    if (e.utcVouched === undefined) return;
    this.canVouch = true;
    this.lastVouched = e.utcVouched;
  }

  /** Every epoch, whatever its verdict: what the receiver's state says about a cold start. */
  observe(e: Epoch): void {
    // Only an epoch that says it has no fix counts: the partial epoch a port opened mid-output gives is no cold start.
    if (e.timeValid === false || e.fixMode === "none") {
      if (!this.hadFix) this.sawWithoutFix = true;
      return;
    }
    if (!isRealFix(e.fixMode) || e.date === undefined) return;
    if (!this.hadFix) {
      this.hadFix = true;
      if (this.sawWithoutFix && !this.canVouch && e.utcVouched === undefined && this.opts.holdoffS > 0) this.holdoffUntilUs = e.startRxUs + this.opts.holdoffS * 1e6;
    }
  }

  /** For an epoch with a fix: undefined when its UTC may be used, else why not. */
  judge(e: Epoch, utcS: number): UtcRefusal | undefined {
    // Said in this epoch before it was decided (NAV-PVT, NAV-TIMEUTC first), else in the last one (after its NMEA): validUTC does not come and go.
    const vouched = e.utcVouched ?? (this.canVouch ? this.lastVouched : undefined);
    if (vouched !== undefined) {
      this.canVouch = true;
      this.holdoffUntilUs = undefined;
      if (!vouched) return { reason: "utc-unconfirmed", detail: `${e.timeSource} has a fix but does not yet vouch for its UTC (its leap-second count, or a confirmed date and time): waiting for it` };
      return undefined;
    }
    const until = this.holdoffUntilUs;
    if (until === undefined) return undefined;
    if (e.startRxUs >= until) {
      this.holdoffUntilUs = undefined;
      this.ended = `the receiver's UTC parameters have had ${this.opts.holdoffS} s to arrive since its cold start`;
      return undefined;
    }
    this.agreed = this.opts.verifiedClockAgrees(utcS, e.startRxUs) ? this.agreed + 1 : 0;
    if (this.agreed >= AGREEING_EPOCHS) {
      this.holdoffUntilUs = undefined;
      this.ended = "a verified clock (chrony on network servers) agrees with the receiver's UTC";
      return undefined;
    }
    const leftS = Math.ceil((until - e.startRxUs) / 1e6);
    return {
      reason: "utc-holdoff",
      detail: `after a cold start an NMEA receiver may report UTC with its firmware's default leap seconds until the GPS UTC parameters arrive (every 12.5 min): ${leftS} s left of time.utc-holdoff, or less once a verified clock agrees`,
    };
  }

  /** Seconds of hold-off left at `nowUs`, or null when none. */
  leftS(nowUs: number): number | null {
    return this.holdoffUntilUs === undefined ? null : Math.max(0, Math.ceil((this.holdoffUntilUs - nowUs) / 1e6));
  }
}
