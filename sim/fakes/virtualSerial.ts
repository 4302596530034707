/*
 * A receiver's serial line in virtual time: bytes handed to feed() reach the
 * service stamped with the clock's realtime at that moment, as the native
 * reader stamps a read the moment it returns. The line can be unplugged and
 * plugged back, each reported as the real serial source reports it.
 */
import type { ByteSink, ByteSource } from "../../src/hal/byteSource.js";
import type { Clock } from "../../src/hal/clock.js";

export class VirtualSerial implements ByteSource {
  private sink: ByteSink | undefined;
  private plugged = true;
  private stopped = false;

  constructor(
    readonly path: string,
    private readonly clock: Clock,
    private readonly baud = 9600,
  ) {}

  start(sink: ByteSink): void {
    this.sink = sink;
    sink.device({ state: "opening", detail: `opening ${this.path} at ${this.baud} baud` });
    if (this.plugged) sink.device({ state: "open", detail: `${this.path} open at ${this.baud} baud` });
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** Bytes from the receiver, arriving now; lost while unplugged, as on a pulled cable. */
  feed(bytes: Buffer): void {
    if (!this.plugged || this.stopped) return;
    this.sink?.data(bytes, this.clock.realtimeUs());
  }

  unplug(): void {
    if (!this.plugged) return;
    this.plugged = false;
    this.sink?.device({ state: "missing", detail: `${this.path} disappeared: receiver unplugged?` });
  }

  plugIn(): void {
    if (this.plugged) return;
    this.plugged = true;
    this.sink?.device({ state: "opening", detail: `opening ${this.path} at ${this.baud} baud` });
    this.sink?.device({ state: "open", detail: `${this.path} open at ${this.baud} baud` });
  }
}
