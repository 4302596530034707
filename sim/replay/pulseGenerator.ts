/*
 * The receiver's pulse in simulation: at each whole second it records an
 * assert edge in a fake kernel-PPS directory, stamped exactly at the second
 * plus a chosen phase (what a kernel on a host clock that far ahead would
 * have stamped), and/or writes an edge byte to a FIFO standing in for a GPIO
 * pin. The write happens a moment after the second, as the kernel's
 * timestamp is taken before anyone reads it.
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import type { Clock } from "../../src/hal/clock.js";
import type { FakeKernelPps } from "../fakes/fakeKernelPps.js";
import { waitUntil } from "./replayer.js";

export interface PulseOptions {
  clock: Clock;
  kernel?: FakeKernelPps;
  /** A FIFO read by the service as its GPIO pin (pps.gpio-fifo). */
  gpioFifo?: string;
  /** Where the stamp falls after the true second, ns (the host clock's error as the kernel would see it). */
  phaseNs: (second: number) => number;
  /** Whether second S has a pulse (default: all). */
  pulse?: (second: number) => boolean;
  /** Called after each edge is written, with its second and the exact stamp. */
  onEdge?: (second: number, stamp: { sec: number; nsec: number }) => void;
}

export function startPulses(opts: PulseOptions): { stop(): void } {
  const { clock } = opts;
  let cancel: (() => void) | undefined;
  let stopped = false;
  // Read-write so the open succeeds before the service opens its end; non-blocking so a full pipe never stalls us.
  const fifo = opts.gpioFifo ? openSync(opts.gpioFifo, constants.O_RDWR | constants.O_NONBLOCK) : undefined;
  const schedule = (): void => {
    const nowUs = clock.realtimeUs();
    const next = Math.floor(nowUs / 1e6) + 1;
    // Timers may fire up to a millisecond early: the edge is never written before its second.
    cancel = clock.after(Math.max(0, (next * 1e6 - nowUs) / 1000 - 3), async () => {
      const stamp = { sec: next, nsec: opts.phaseNs(next) };
      // The edge happens at its stamp: the GPIO byte is not written before the moment the kernel stamped.
      await waitUntil(clock, Math.ceil(next * 1e6 + stamp.nsec / 1000));
      if (stopped) return;
      if (opts.pulse?.(next) ?? true) {
        if (fifo !== undefined) writeSync(fifo, "1");
        opts.kernel?.assert(stamp);
        opts.onEdge?.(next, stamp);
      }
      schedule();
    });
  };
  schedule();
  return {
    stop() {
      stopped = true;
      cancel?.();
      if (fifo !== undefined) closeSync(fifo);
    },
  };
}
