/* A Linux I2C bus (/dev/i2c-N, enable with dtparam=i2c_arm=on) through i2c-bus; opened on first use so a missing bus is an error on write, reported and retried by the caller, not a crash at start. */
import { openPromisified, type PromisifiedBus } from "i2c-bus";
import type { I2cBus } from "../i2cBus.js";

export class I2cBusDevice implements I2cBus {
  readonly name: string;
  private bus: PromisifiedBus | undefined;

  constructor(private readonly busNumber: number) {
    this.name = `/dev/i2c-${busNumber}`;
  }

  async write(address: number, bytes: Buffer): Promise<void> {
    try {
      this.bus ??= await openPromisified(this.busNumber);
      await this.bus.i2cWrite(address, bytes.length, bytes);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === "ENOENT") throw new Error(`${this.name} does not exist: add dtparam=i2c_arm=on to config.txt (and load i2c-dev)`);
      throw new Error(
        `${e.code ?? "error"}: ${e.message}${e.code === "EREMOTEIO" || e.code === "ENXIO" ? ` (no device answered at 0x${address.toString(16)}: LCD unplugged, or another address: 0x27 and 0x3f are common)` : ""}`,
      );
    }
  }

  async close(): Promise<void> {
    const b = this.bus;
    this.bus = undefined;
    await b?.close();
  }
}
