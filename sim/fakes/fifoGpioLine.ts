/*
 * Simulation stand-in for a GPIO input: a named pipe where each byte '1'
 * is a rising edge. The edge is stamped when its read reaches JavaScript,
 * just as onoff's callback would be, so the GPIO pulse source sees real
 * user-space latency and jitter.
 */
import { constants, openSync } from "node:fs";
import { Socket } from "node:net";
import type { Instant } from "../../src/hal/instant.js";
import type { GpioLine } from "../../src/hal/gpioLine.js";
import { realtimeInstant } from "../../src/hal/linux/native.js";

export class FifoGpioLine implements GpioLine {
  readonly name: string;
  private pipe: Socket | undefined;

  constructor(private readonly path: string) {
    this.name = `gpio-fifo:${path}`;
  }

  watchRising(onEdge: (stamp: Instant) => void, onError: (detail: string) => void): void {
    let fd: number;
    try {
      // Read-write and non-blocking: the open never waits for a writer, and writers coming and going never read as end-of-file.
      fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (err) {
      onError(`cannot open ${this.path}: ${(err as Error).message}`);
      return;
    }
    const pipe = new Socket({ fd, readable: true, writable: false });
    this.pipe = pipe;
    pipe.on("data", (chunk: Buffer) => {
      const stamp = realtimeInstant();
      for (const byte of chunk) if (byte === 0x31) onEdge(stamp);
    });
    pipe.on("error", (err) => onError(`reading ${this.path}: ${err.message}`));
  }

  close(): void {
    this.pipe?.destroy();
    this.pipe = undefined;
  }
}
