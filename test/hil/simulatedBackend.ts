/*
 * The simulated back end: serial bytes into a socat pty pair (unplugging is
 * socat going away, so the device node vanishes as a USB receiver's would),
 * pulse edges into a sysfs-shaped kernel PPS directory with the capture's own
 * kernel stamps. A pty has no baud rate, so when the capture says the
 * receiver changed its rate, the bytes go through a model of the serial line
 * (src/capture/uartResample.ts) at the rate the service listens at.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { UartLine } from "../../sim/replay/uartResample.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { openPtyPair, type PtyPair } from "../../sim/run/ptyPair.js";
import type { Instant } from "../../src/hal/instant.js";
import type { ReplayBackend } from "../../sim/replay/replayBackend.js";

export class SimulatedBackend implements ReplayBackend {
  readonly name = "simulated (pty + fake kernel PPS)";
  readonly stamps = { exact: true } as const;
  readonly device: string;
  readonly feed: string;
  readonly kernel: FakeKernelPps;
  private pty: PtyPair | undefined;
  private fd: number | undefined;
  private line: UartLine | undefined;

  private constructor(
    dir: string,
    private readonly serviceBaud: number,
  ) {
    this.device = join(dir, "gps");
    this.feed = join(dir, "feed");
    this.kernel = new FakeKernelPps(join(dir, "pps0"));
  }

  static async open(dir: string, serviceBaud: number): Promise<SimulatedBackend> {
    const b = new SimulatedBackend(dir, serviceBaud);
    await b.replug();
    return b;
  }

  serviceArgs(): string[] {
    return ["--serial", this.device, "--pps-sysfs", this.kernel.dir];
  }

  serial(bytes: Buffer): void {
    if (this.fd === undefined) return; // unplugged: the bytes go nowhere, as on a pulled cable
    const out = this.line ? this.line.send(bytes) : bytes;
    if (out.length > 0) writeSync(this.fd, out);
  }

  lineIdle(): void {
    const rest = this.line?.idle();
    if (rest && rest.length > 0 && this.fd !== undefined) writeSync(this.fd, rest);
  }

  assert(at: Instant): void {
    this.kernel.assert(at);
  }

  clear(at: Instant): void {
    this.kernel.clear(at);
  }

  async setTransmitBaud(baud: number): Promise<void> {
    this.line = baud === this.serviceBaud ? undefined : new UartLine(baud, this.serviceBaud);
  }

  async unplug(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    await this.pty?.close();
    this.pty = undefined;
  }

  async replug(): Promise<void> {
    if (this.pty) return;
    this.pty = await openPtyPair(this.device, this.feed);
    this.fd = openSync(this.feed, "w");
  }

  async close(): Promise<void> {
    await this.unplug();
  }
}
