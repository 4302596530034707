/*
 * Replays capture epochs into a serial device in real time, the way a
 * receiver sends them: epoch k starts `delayMs` (fixed, or chosen epoch by
 * epoch) after UTC second start+k
 * (the receiver's processing delay after its pulse), and each frame is
 * written when its last byte would have left the UART at the baud rate
 * (10 bits per byte). Each NMEA epoch is rewritten to its new second.
 * onWrite reports the realtime just before and just after each frame's write:
 * the bytes reached the reader somewhere in between, which is what a
 * sample's timestamp is judged against.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Clock } from "../../src/hal/clock.js";
import type { CaptureEpoch } from "./captureEpochs.js";
import { labelForPosix, retimeNmea, retimeUbx } from "./retime.js";

export interface ReplayOptions {
  /** The writing end of the pty pair (or a real UART on a test rig). */
  feedPath: string;
  baud: number;
  /** Delay from the second's start to the first byte of the epoch; a function for a receiver whose words wander in the second. */
  delayMs: number | ((k: number, second: number) => number);
  /** First UTC second to map the capture onto (POSIX s). */
  startSecond: number;
  /** Rewrite NMEA time fields to the replay's seconds (off: send the capture's own dates, e.g. rollover tests). */
  rewrite: boolean;
  /** Loop the capture to fill this many epochs (default: once). */
  epochs?: number;
  clock: Clock;
  onWrite?: (info: { epochIndex: number; utcSecond: number; frameIndex: number; lastFrameIndex: number; text?: string; bytes?: Buffer; writeStartUs: number; writtenUs: number }) => void;
}

/** Resolves at targetUs (realtime µs), within microseconds: sleeps, then spins the last 2 ms. */
export function waitUntil(clock: Clock, targetUs: number): Promise<void> {
  const ms = (targetUs - clock.realtimeUs()) / 1000;
  // setTimeout wakes up to ~1 ms late; the last stretch is spun out on the clock for a precise write moment.
  return new Promise((resolve) => {
    const spin = (): void => {
      while (clock.realtimeUs() < targetUs) {
        /* spin */
      }
      resolve();
    };
    if (ms > 2) clock.after(ms - 2, spin);
    else spin();
  });
}

/**
 * `epochs` is a list (looped) or a function of the epoch's index and UTC
 * second, asked just before the epoch is written: a story decided while it
 * is told (see liveReceiver.ts).
 */
export async function replay(epochs: readonly CaptureEpoch[] | ((k: number, second: number) => CaptureEpoch), opts: ReplayOptions, signal?: AbortSignal): Promise<void> {
  const fd = openSync(opts.feedPath, "w");
  const epochAt = typeof epochs === "function" ? epochs : (k: number) => epochs[k % epochs.length]!;
  try {
    const total = opts.epochs ?? (typeof epochs === "function" ? Number.MAX_SAFE_INTEGER : epochs.length);
    for (let k = 0; k < total && !signal?.aborted; k++) {
      const epoch = epochAt(k, opts.startSecond + k);
      const second = opts.startSecond + k;
      const label = labelForPosix(second);
      const frames = epoch.frames.map((f) => (!opts.rewrite ? f.bytes : f.text ? Buffer.from(retimeNmea(f.text, label) + "\r\n", "latin1") : retimeUbx(f.bytes, label)));
      let offsetUs = second * 1e6 + (typeof opts.delayMs === "function" ? opts.delayMs(k, second) : opts.delayMs) * 1000;
      for (let i = 0; i < frames.length; i++) {
        const bytes = frames[i]!;
        offsetUs += (bytes.length * 10 * 1e6) / opts.baud;
        await waitUntil(opts.clock, Math.round(offsetUs));
        if (signal?.aborted) return;
        const writeStartUs = opts.clock.realtimeUs();
        writeSync(fd, bytes);
        const writtenUs = opts.clock.realtimeUs();
        opts.onWrite?.({ epochIndex: k, utcSecond: second, frameIndex: i, lastFrameIndex: frames.length - 1, text: bytes.toString("latin1").trimEnd(), bytes, writeStartUs, writtenUs });
      }
    }
  } finally {
    closeSync(fd);
  }
}
