/*
 * One simulated appliance for an integration test: a real chronyd, a socat
 * pty pair standing in for the receiver's UART, and the real stratum1d.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChronyd, type Chronyd, type ChronydOptions } from "../../sim/run/chronyd.js";
import { spawnDaemon, type DaemonProcess } from "../../sim/run/daemonProcess.js";
import { openPtyPair, type PtyPair } from "../../sim/run/ptyPair.js";
import { splitEpochs, type CaptureEpoch } from "../../sim/replay/captureEpochs.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import type { Clock } from "../../src/hal/clock.js";
import { readCapture } from "../../sim/replay/captures.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";

export interface Rig {
  dir: string;
  chrony: Chronyd;
  pty: PtyPair;
  daemon: DaemonProcess;
  clock: Clock;
  paths: { device: string; feed: string; sock: string; status: string };
  /** With `kernelPps`: the fake kernel PPS device the daemon reads; its labelled pulses go to `${dir}/pps.sock`. */
  kernel?: FakeKernelPps;
  epochs(capture: string): CaptureEpoch[];
  /** The next whole second at least `leadMs` away, for the replay to start on. */
  nextSecond(leadMs?: number): number;
  close(): Promise<void>;
}

export async function startRig(opts: {
  chronyLines: (dir: string) => string[];
  daemonArgs: (paths: Rig["paths"], chrony: Chronyd) => string[];
  kernelPps?: boolean;
  chronyd?: ChronydOptions;
}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-it-"));
  const paths = { device: join(dir, "gps"), feed: join(dir, "feed"), sock: join(dir, "nmea.sock"), status: join(dir, "status.json") };
  const chrony = await startChronyd(dir, opts.chronyLines(dir), opts.chronyd);
  const pty = await openPtyPair(paths.device, paths.feed);
  const kernel = opts.kernelPps ? new FakeKernelPps(join(dir, "pps0")) : undefined;
  const ppsArgs = kernel ? ["--pps-sysfs", kernel.dir, "--pps-sock", join(dir, "pps.sock")] : [];
  // chrony's figures come from this run's chronyd; no display unless the test brings one.
  const daemon = spawnDaemon([
    ...chrony.serviceSettings(),
    "--set",
    "time.leap-list=off",
    "--set",
    `state.dir=${join(dir, "state")}`,
    "--set",
    "lcd.bus=off",
    "--set",
    `capture.socket=${join(dir, "capture.sock")}`,
    "--set",
    `control.socket=${join(dir, "control.sock")}`,
    ...ppsArgs,
    ...opts.daemonArgs(paths, chrony),
  ]);
  const clock = systemClock();
  await daemon.waitFor(/serial: .* open at/, 10_000);
  const rig: Rig = {
    dir,
    chrony,
    pty,
    daemon,
    clock,
    paths,
    ...(kernel ? { kernel } : {}),
    epochs: (capture) => splitEpochs(readCapture(capture)),
    nextSecond: (leadMs = 500) => Math.ceil((clock.realtimeUs() / 1000 + leadMs) / 1000),
    // Tests replace pty and chrony mid-run (replug, restart): close whatever the rig holds now.
    async close() {
      await rig.daemon.stop();
      await rig.pty.close();
      await rig.chrony.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}
