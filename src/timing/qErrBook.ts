/*
 * The time pulse's quantisation error, kept for the edge it belongs to.
 *
 * A u-blox makes its pulse on an edge of its own clock (48 MHz on M8, so
 * up to ±10 ns from the true second) and says, in TIM-TP, by how much the
 * *next* pulse will miss. TIM-TP arrives a few hundred ms after the pulse
 * just given, so taken in arrival order it would correct the wrong edge and
 * double the error it should remove. The book therefore files each
 * announcement under the UTC second it names (its own week and time of
 * week, see timePulseUtcSecond) and hands an edge only the entry for that
 * edge's second, once; an edge without one is corrected by nothing.
 *
 * Sign: u-blox does not state it in the protocol descriptions. The
 * simulated receivers model "edge = true second + qErr", so the corrected
 * edge is the stamp − qErr (`sign` +1). The spread meter below reports the
 * sawtooth before and after correction: on real hardware the right sign
 * narrows it, the wrong one widens it; with kernel PPS stamps (≈1 µs of
 * jitter on a Pi) both changes are small and need many samples to see.
 */
import type { TimePulseReport } from "../gnss/receiverReports.js";
import { timePulseUtcSecond } from "../gnss/ubx/timTp.js";

export class QErrBook {
  private readonly bySecond = new Map<number, number>();

  /** keep: announcements held at once (older ones go first; an edge is never more than a second behind). */
  constructor(private readonly keep = 4) {}

  /** Files a TIM-TP; a GNSS time base needs the leap seconds, without them the announcement is dropped. */
  announce(tp: TimePulseReport, leapSeconds: number | undefined): boolean {
    const second = timePulseUtcSecond(tp, leapSeconds);
    if (second === undefined || tp.qErrPs === undefined) return false;
    this.bySecond.set(second, tp.qErrPs);
    while (this.bySecond.size > this.keep) this.bySecond.delete(this.bySecond.keys().next().value!);
    return true;
  }

  /** The qErr (ps) announced for the edge of this UTC second, once; undefined when none was. */
  take(utcSecond: number): number | undefined {
    const q = this.bySecond.get(utcSecond);
    this.bySecond.delete(utcSecond);
    return q;
  }
}

/** Spread (max − min) and RMS about the mean of a window of offsets, before and after the qErr correction. */
export class SawtoothMeter {
  private readonly before: number[] = [];
  private readonly after: number[] = [];

  constructor(private readonly window = 64) {}

  /** offsetNs: the edge's offset without correction; qErrPs: what was applied (0 when nothing was). */
  add(offsetNs: number, qErrPs: number, sign: 1 | -1 = 1): void {
    this.before.push(offsetNs);
    this.after.push(offsetNs - (sign * qErrPs) / 1000);
    if (this.before.length > this.window) {
      this.before.shift();
      this.after.shift();
    }
  }

  report(): { samples: number; beforeNs: { spread: number; rms: number }; afterNs: { spread: number; rms: number } } {
    const stats = (xs: number[]): { spread: number; rms: number } => {
      if (xs.length === 0) return { spread: 0, rms: 0 };
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { spread: Math.max(...xs) - Math.min(...xs), rms: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
    };
    return { samples: this.before.length, beforeNs: stats(this.before), afterNs: stats(this.after) };
  }
}
