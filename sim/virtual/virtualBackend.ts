/*
 * The replay harness's back end for a box in virtual time: a capture's
 * serial records go into the virtual serial line (through a model of the line
 * when the receiver sends at another rate than the box listens at), its
 * kernel stamps into the sysfs-shaped PPS directory as they are, its unplug
 * and replug events to the line. The same capture files, the same player as
 * the real-time harness; only the clock is virtual.
 */
import type { Instant } from "../../src/hal/instant.js";
import type { FakeKernelPps } from "../fakes/fakeKernelPps.js";
import type { VirtualSerial } from "../fakes/virtualSerial.js";
import type { ReplayBackend } from "../replay/replayBackend.js";
import { UartLine } from "../replay/uartResample.js";

export class VirtualBackend implements ReplayBackend {
  readonly name = "virtual (scripted serial line + fake kernel PPS, virtual time)";
  readonly stamps = { exact: true } as const;
  private line: UartLine | undefined;

  constructor(
    private readonly serialLine: VirtualSerial,
    private readonly kernel: FakeKernelPps | undefined,
    private readonly serviceBaud: number,
  ) {}

  serviceArgs(): string[] {
    return [];
  }

  serial(bytes: Buffer): void {
    const out = this.line ? this.line.send(bytes) : bytes;
    if (out.length > 0) this.serialLine.feed(out);
  }

  lineIdle(): void {
    const rest = this.line?.idle();
    if (rest && rest.length > 0) this.serialLine.feed(rest);
  }

  assert(at: Instant): void {
    this.kernel?.assert(at);
  }

  clear(at: Instant): void {
    this.kernel?.clear(at);
  }

  async setTransmitBaud(baud: number): Promise<void> {
    this.line = baud === this.serviceBaud ? undefined : new UartLine(baud, this.serviceBaud);
  }

  async unplug(): Promise<void> {
    this.serialLine.unplug();
  }

  async replug(): Promise<void> {
    this.serialLine.plugIn();
  }

  async close(): Promise<void> {}
}
