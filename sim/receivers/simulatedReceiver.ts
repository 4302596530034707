/*
 * What the simulator and the tests plug in as a receiver: bytes in (the
 * host's TX), bytes out (its TX), each at the receiver's own rate. Time is
 * the caller's: it asks for each epoch's output when that second's pulse
 * has been given, and gets any reply to what it wrote at once, so the fake
 * runs in virtual time with no timers of its own.
 */
import type { SkyState } from "./skyState.js";

/** Bytes the receiver sends, and the rate it sends them at (a reply to a rate change goes out at the new rate). */
export interface Transmission {
  bytes: Buffer;
  baud: number;
}

/** The pulse the receiver gives at a second, relative to the true UTC second. */
export interface PulseOutput {
  widthMs: number;
  /** Edge time − true second, ps: quantisation (qErr) plus any uncompensated cable delay; free-running drift when not locked. */
  errorPs: number;
  /** Aligned to GNSS time (false: free-running on the receiver's oscillator). */
  locked: boolean;
}

export interface SimulatedReceiver {
  /** The rate of the receiver's UART now. */
  readonly baud: number;
  /** Bytes from the host, as the receiver's UART received them; returns what it sends back. */
  write(bytes: Buffer): Transmission[];
  /** The epoch's output for the second whose pulse has just been given. */
  epoch(utcSecond: number, sky: SkyState): Buffer;
  /** The pulse at this second, or undefined when the receiver gives none. */
  pulse(utcSecond: number, sky: SkyState): PulseOutput | undefined;
  /** Power off and on: RAM lost (and battery-backed RAM too without a backup cell); returns the boot output. */
  powerCycle(): Transmission[];
}
