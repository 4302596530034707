/*
 * The receiver for the booted twin, on the host: a pty whose far end the
 * container's stratum1d reads as its UART (a capture replayed in real time,
 * timed to the host's clock, which is the container's), and a fake kernel PPS
 * directory pulsing every second. Both are bound into the container.
 */
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { openPtyPair, type PtyPair } from "../../sim/run/ptyPair.js";
import { startPulses } from "../../sim/replay/pulseGenerator.js";
import { replay } from "../../sim/replay/replayer.js";

export class SimReceiver {
  private constructor(
    private readonly pty: PtyPair,
    readonly ppsDir: string,
    private readonly stop: () => void,
    private readonly done: Promise<void>,
  ) {}

  static async start(dir: string): Promise<SimReceiver> {
    const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
    const kernel = new FakeKernelPps(join(dir, "pps0"));
    const clock = systemClock();
    const pulses = startPulses({ clock, kernel, phaseNs: () => 25_000 });
    const abort = new AbortController();
    const epochs = splitEpochs(readCapture("neo-m8n.log"));
    const startSecond = Math.ceil(clock.realtimeUs() / 1e6) + 1;
    const done = replay(epochs, { feedPath: pty.feed, baud: 9600, delayMs: 100, startSecond, rewrite: true, epochs: 24 * 3600, clock }, abort.signal).catch(() => undefined);
    const stop = (): void => {
      abort.abort();
      pulses.stop();
    };
    return new SimReceiver(pty, kernel.dir, stop, done);
  }

  /** The pty's device node, for a bind into the container. */
  get device(): string {
    return realpathSync(join(this.pty.device));
  }

  async close(): Promise<void> {
    this.stop();
    await this.pty.close();
    await this.done;
  }
}
