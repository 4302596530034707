/*
 * The time gate: the one place that decides whether an epoch's UTC second may
 * reach chrony. A wrong second is worse than no second (chrony will follow a
 * lone good-looking source), so every epoch must pass, in order:
 *   1. it has a date and a time of day (only RMC, ZDA and UBX carry a date);
 *   2. the receiver itself calls the time valid (RMC status A, UBX flags);
 *   3. it comes from a real fix (not "no fix", not dead reckoning), and the
 *      receiver vouches for its UTC, not only its GPS time (utcTrust.ts);
 *   4. it is not the inserted leap second 23:59:60, which POSIX cannot label;
 *   5. the date is plausible: not before this firmware's release date (the
 *      GPS week-rollover bug shows up as a date 1024 weeks in the past) and
 *      not past the 1024-week horizon after it;
 *   6. it moves forward by the seconds the local clock saw elapse since the
 *      previous good epoch, and that has held for SETTLE epochs in a row (a
 *      receiver that jumps, repeats or reorders is not believed until it has
 *      behaved again).
 * Checks 1-5 are about the receiver's word; check 6 compares it with when
 * the service read it, which a busy host can delay (a read held up by half a
 * second or more: `stalled-read`, the sample dropped, the receiver not
 * blamed). An epoch that passes 1-5 but not 6 is still `trusted`: the pulse
 * associator judges its progress against the pulses, which a busy host
 * cannot delay (the kernel stamps them).
 * Each refusal is a named reason, counted and shown in the status.
 */
import type { Epoch } from "../gnss/epoch.js";
import { isRealFix } from "../gnss/report.js";
import type { TimeSample } from "./sample.js";
import { instantFromUs } from "../hal/instant.js";
import type { UtcTrust } from "./utcTrust.js";
import { GPS_WEEK_ROLLOVER_S, isoSecond, posixSeconds } from "./utc.js";

export type GateReject =
  | "no-date"
  | "receiver-invalid"
  | "no-fix"
  | "utc-unconfirmed"
  | "utc-holdoff"
  | "leap-second"
  | "gps-week-rollover"
  | "date-before-floor"
  | "date-beyond-horizon"
  | "duplicate-second"
  | "time-jump"
  | "stalled-read"
  | "settling";

/** The receiver's time passed the checks of its word; only its progress against the host's reads was refused. */
export interface TrustedTime {
  utc: number;
  leap: 0 | 1 | 2;
}

export type GateVerdict = { ok: true; sample: TimeSample } | { ok: false; reason: GateReject; detail: string; utcSecond?: number; trusted?: TrustedTime };

/** A read held up this much longer than the receiver's seconds say is the host's delay, not the receiver's jump. */
const STALL_S = 0.5;
/** Stalled reads in a row after which the receiver, not the host, is taken to have fallen behind. */
const STALLS_BEFORE_JUMP = 2;

export interface TimeGateOptions {
  /** No real date can be earlier than this (POSIX s): the firmware's release date. */
  floorS: number;
  /** Consecutive consistent epochs needed before samples flow (after start and after a jump). */
  settleEpochs: number;
  /** Realtime µs now, for naming a week rollover against the host clock. */
  nowUs: () => number;
  /** Whether the receiver's UTC may be used yet (its own word, or a hold-off after a cold start). */
  utcTrust?: UtcTrust;
  /** The leap flag for a sample of this second (a leap second the receiver announced for the end of its day). */
  leapFor?: (utcS: number) => 0 | 1 | 2;
}

export class TimeGate {
  private last: { utc: number; rxUs: number } | undefined;
  private streak = 0;
  private stalls = 0;

  constructor(private readonly opts: TimeGateOptions) {}

  /** Forget history, e.g. after the receiver was unplugged: it must settle again. */
  reset(): void {
    this.last = undefined;
    this.streak = 0;
    this.stalls = 0;
  }

  judge(e: Epoch): GateVerdict {
    if (!e.date || !e.timeOfDay) return { ok: false, reason: "no-date", detail: `epoch from ${e.sources.join(",") || "nothing"} has no date (needs RMC, ZDA or UBX time)` };
    // Label with the nearest second: u-blox may print 23.999807 for the solution of second 24.
    const referenceUs = posixSeconds(e.date, e.timeOfDay) * 1e6 + e.timeOfDay.micros;
    const utc = Math.round(referenceUs / 1e6);
    if (e.timeValid === false) return { ok: false, reason: "receiver-invalid", detail: `${e.timeSource} says its time is not valid`, utcSecond: utc };
    if (!isRealFix(e.fixMode)) return { ok: false, reason: "no-fix", detail: `fix mode is ${e.fixMode ?? "unknown"}`, utcSecond: utc };
    const utcRefusal = this.opts.utcTrust?.judge(e, utc);
    if (utcRefusal) return { ok: false, ...utcRefusal, utcSecond: utc };
    if (e.timeOfDay.second === 60) {
      // The next epoch (00:00:00) is one POSIX second after 23:59:59 while two have elapsed.
      if (this.last) this.last = { utc: utc - 1, rxUs: e.startRxUs - 1e6 };
      return { ok: false, reason: "leap-second", detail: `${isoSecond(utc).replace(":59Z", ":60Z")} is an inserted leap second`, utcSecond: utc };
    }
    const plausibility = this.checkDate(utc);
    if (plausibility) return { ...plausibility, utcSecond: utc };
    const leap = this.opts.leapFor?.(utc) ?? 0;
    const verdict = this.checkProgress(utc, e.startRxUs);
    if (verdict) return { ...verdict, utcSecond: utc, trusted: { utc, leap } };
    return {
      ok: true,
      sample: { local: instantFromUs(e.startRxUs), reference: instantFromUs(referenceUs), leap, pulse: 0, utcSecond: utc },
    };
  }

  private checkDate(utc: number): { ok: false; reason: GateReject; detail: string } | undefined {
    const { floorS } = this.opts;
    if (utc < floorS) {
      const hostS = this.opts.nowUs() / 1e6;
      for (let k = 1; k <= 3; k++) {
        if (Math.abs(utc + k * GPS_WEEK_ROLLOVER_S - hostS) < 2 * 86400) {
          return {
            ok: false,
            reason: "gps-week-rollover",
            detail: `receiver date ${isoSecond(utc)} is ${k * 1024} weeks behind the host clock: firmware GPS week-rollover bug, update the receiver firmware`,
          };
        }
      }
      return {
        ok: false,
        reason: "date-before-floor",
        detail: `receiver date ${isoSecond(utc)} is before ${isoSecond(floorS)}, earlier than this firmware: GPS week rollover or a receiver without almanac`,
      };
    }
    if (utc > floorS + GPS_WEEK_ROLLOVER_S) {
      return { ok: false, reason: "date-beyond-horizon", detail: `receiver date ${isoSecond(utc)} is more than 1024 weeks after ${isoSecond(floorS)}` };
    }
    return undefined;
  }

  private checkProgress(utc: number, rxUs: number): { ok: false; reason: GateReject; detail: string } | undefined {
    const prev = this.last;
    if (prev && utc === prev.utc) return { ok: false, reason: "duplicate-second", detail: `${isoSecond(utc)} was already labelled` };
    if (prev) {
      const said = utc - prev.utc;
      const lateS = (rxUs - prev.rxUs) / 1e6 - said;
      if (said > 0 && lateS >= STALL_S && this.stalls + 1 < STALLS_BEFORE_JUMP) {
        // The previous epoch stays the reference: the next one, read on time, is judged against it.
        this.stalls += 1;
        return {
          ok: false,
          reason: "stalled-read",
          detail: `the epoch of ${isoSecond(utc)} was read ${(lateS * 1000).toFixed(0)} ms later than the receiver's seconds allow: the service was held up (a busy host); its sample is dropped`,
        };
      }
      this.stalls = 0;
      this.last = { utc, rxUs };
      if (Math.abs(lateS) >= STALL_S) {
        this.streak = 1;
        const elapsed = Math.round((rxUs - prev.rxUs) / 1e6);
        return { ok: false, reason: "time-jump", detail: `receiver time moved ${said} s while the local clock moved ${elapsed} s (${isoSecond(prev.utc)} -> ${isoSecond(utc)})` };
      }
      this.streak += 1;
    } else {
      this.last = { utc, rxUs };
      this.streak = 1;
    }
    if (this.streak < this.opts.settleEpochs) {
      return { ok: false, reason: "settling", detail: `waiting for ${this.opts.settleEpochs} consecutive consistent epochs (${this.streak} so far)` };
    }
    return undefined;
  }
}
