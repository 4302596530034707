/*
 * An untimed receiver log (gpsd's test logs: NMEA text, UBX binary, '#'
 * notes) turned into a timed capture, so every real log can be replayed: its
 * epochs are laid one per second from a chosen start, the first byte of each
 * `delayMs` after its pulse edge, each frame arriving when its last byte
 * would have left a UART at the baud rate (10 bits a byte). The pulse edges
 * are synthesised on the seconds (plus a chosen stamping phase), for every
 * epoch, only for epochs with a valid fix (as most receivers only pulse then),
 * or not at all.
 *
 * By default each epoch's words are also retimed to the second it is played
 * at, so a log whose epochs skip seconds still plays as a steady receiver;
 * with retime off the receiver's own dates are kept (a week-rollover log must
 * keep its wrong date to be worth replaying).
 */
import { decodeNmea } from "../../src/gnss/nmea/decodeNmea.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import { isRealFix } from "../../src/gnss/report.js";
import type { CaptureEpoch } from "./captureEpochs.js";
import type { Capture, CaptureHeader, CaptureRecord, EdgeTruth } from "../../src/capture/captureFormat.js";
import { labelForPosix, retimeNmea, retimeUbx, type UtcLabel } from "./retime.js";

export type PulsePolicy = "always" | "fix" | "none";

export interface ConvertOptions {
  baud: number;
  /** From the pulse edge to the first byte of the epoch. */
  delayMs: number;
  /** POSIX second of the first epoch's edge. */
  startS: number;
  /** Number of epochs to lay out (the log is looped); default: the log once. */
  epochs?: number;
  /** Retime each epoch to its second (default), to a label of the caller's (leap seconds), or keep the receiver's own time (false). */
  retime?: boolean | ((k: number) => UtcLabel);
  pulses: PulsePolicy;
  /** Overrides `pulses` epoch by epoch (a receiver that keeps pulsing without a fix, a pulse wire pulled). */
  pulseAt?: (k: number, epoch: CaptureEpoch) => boolean;
  /** The rate the receiver sends epoch k at, when it changes mid-capture (default: baud). */
  baudAt?: (k: number) => number;
  /**
   * The second edge k truly marks, where that is not the timeline's own
   * (startS + k): the leap second and the seconds after it on a host clock
   * that does not apply it. Retimed words say what the receiver claims, which
   * is not always the truth (a week-rollover bug), so this is separate.
   */
  truthAt?: (k: number) => EdgeTruth;
  /** The kernel stamp's distance after the true second, ns (the host clock's error as the kernel saw it). */
  phaseNs?: (second: number) => number;
  header: CaptureHeader;
}

/** Whether the receiver vouches for its time and fix in this epoch: what makes most receivers pulse. */
export function epochHasFix(e: CaptureEpoch): boolean {
  let valid = false;
  let fix = false;
  for (const f of e.frames) {
    const d = f.text !== undefined ? decodeNmea(f.text) : f.bytes.length >= 8 ? decodeUbx(f.bytes[2]!, f.bytes[3]!, f.bytes.subarray(6, f.bytes.length - 2)) : undefined;
    if (!d?.ok) continue;
    if (d.report.timeValid === true) valid = true;
    if (isRealFix(d.report.fixMode)) fix = true;
  }
  return valid && fix;
}

/** The truth a receiver's own label gives (for synthesised captures whose receiver is right). */
export const labelTruth = (l: UtcLabel): EdgeTruth => (l.second === 60 ? "leap" : Date.UTC(l.date.year, l.date.month - 1, l.date.day, l.hour, l.minute, l.second) / 1000);

export function convertEpochs(epochs: readonly CaptureEpoch[], opts: ConvertOptions): Capture {
  if (epochs.length === 0) throw new Error("the log holds no NMEA sentence or UBX frame: nothing to convert");
  const total = opts.epochs ?? epochs.length;
  const label = typeof opts.retime === "function" ? opts.retime : opts.retime === false ? undefined : (k: number) => labelForPosix(opts.startS + k);
  const records: CaptureRecord[] = [];
  let seq = 0;
  for (let k = 0; k < total; k++) {
    const epoch = epochs[k % epochs.length]!;
    const second = opts.startS + k;
    const l = label?.(k);
    const pulse = opts.pulseAt ? opts.pulseAt(k, epoch) : opts.pulses === "always" || (opts.pulses === "fix" && epochHasFix(epoch));
    if (pulse) {
      seq += 1;
      const truth = opts.truthAt?.(k);
      const nsec = opts.phaseNs?.(second) ?? 0;
      records.push({ kind: "assert", at: { sec: second, nsec }, seq, ...(truth !== undefined && truth !== second ? { truth } : {}) });
    }
    const nsPerByte = (10 * 1e9) / (opts.baudAt?.(k) ?? opts.baud);
    let ns = opts.delayMs * 1e6;
    for (const f of epoch.frames) {
      const bytes = !l ? f.bytes : f.text !== undefined ? Buffer.from(retimeNmea(f.text, l) + "\r\n", "latin1") : retimeUbx(f.bytes, l);
      ns += bytes.length * nsPerByte;
      const t = Math.round(ns);
      const whole = Math.floor(t / 1e9);
      records.push({ kind: "serial", at: { sec: second + whole, nsec: t - whole * 1e9 }, bytes });
    }
  }
  // An epoch's last bytes can trail past the next edge: records go in time order.
  records.sort((a, b) => a.at.sec - b.at.sec || a.at.nsec - b.at.nsec);
  return { header: { baud: String(opts.baud), ...opts.header }, records };
}
