/*
 * A Linux I2C bus (/dev/i2c-N, enable with dtparam=i2c_arm=on) through the
 * native addon's i2c-dev calls: opened on first use, so a missing bus is an
 * error on write, reported and retried by the caller, not a crash at start.
 * The display needs one plain write to an address; the i2c-bus package did
 * that with 1.1 MB more memory (docs/bench.md, "Footprint").
 */
import type { I2cBus } from "../i2cBus.js";
import { errnoName, native } from "./native.js";

export class I2cBusDevice implements I2cBus {
  readonly name: string;
  private fd: number | undefined;
  /** The write under way: close() waits for it, so the fd is never closed under the thread pool's write(). */
  private writing: Promise<number> | undefined;

  constructor(busNumber: number, path = `/dev/i2c-${busNumber}`) {
    this.name = path;
  }

  async write(address: number, bytes: Buffer): Promise<void> {
    const calls = native();
    if (this.fd === undefined) {
      const fd = calls.i2cOpen(this.name);
      if (fd < 0) throw new Error(this.explain(fd, address, true));
      this.fd = fd;
    }
    this.writing = calls.i2cWrite(this.fd, address, bytes);
    const rc = await this.writing;
    this.writing = undefined;
    if (rc < 0) throw new Error(this.explain(rc, address));
  }

  async close(): Promise<void> {
    await this.writing;
    if (this.fd !== undefined) native().fdClose(this.fd);
    this.fd = undefined;
  }

  private explain(negErrno: number, address: number, opening = false): string {
    const named = errnoName(negErrno);
    // At open, ENXIO is the kernel's "no such device" (a bus number without an adapter), not a silent address.
    const code = opening && named === "ENXIO" ? "ENODEV" : named;
    const at = `0x${address.toString(16).padStart(2, "0")}`;
    switch (code) {
      case "ENOENT":
      case "ENODEV":
        return `${this.name} does not exist: add dtparam=i2c_arm=on to config.txt (and load i2c-dev)`;
      case "EACCES":
      case "EPERM":
        return `${code}: ${this.name}: permission denied (the service needs the i2c group)`;
      case "ENOTTY":
        return `${code}: ${this.name} is not an I2C bus (lcd.bus names /dev/i2c-N)`;
      case "ENXIO":
      case "EREMOTEIO":
        return `${code}: no device answered at ${at} on ${this.name} (LCD unplugged, or another address: 0x27 and 0x3f are common)`;
      case "EBUSY":
        return `${code}: ${at} on ${this.name} is claimed by a kernel driver (a device tree overlay?)`;
      default:
        return `${code}: writing to ${at} on ${this.name} failed`;
    }
  }
}
