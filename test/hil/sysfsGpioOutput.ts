/*
 * A header pin driven from user space through sysfs GPIO, for the test rig's
 * pulse output: export (with the gpiochip base of kernels ≥ 6.6 looked up),
 * direction out, then "1"/"0" written to `value`. The sysfs root is a
 * parameter so the tests run this very code against a directory shaped like
 * /sys/class/gpio (its `value` a FIFO that the service under test reads as
 * its pulse input).
 */
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { headerGpioBase } from "../../src/hal/linux/gpioChipBase.js";

export class SysfsGpioOutput {
  private fd: number | undefined;
  private exported = false;

  constructor(
    readonly pin: number,
    private readonly root = "/sys/class/gpio",
  ) {}

  async open(): Promise<void> {
    const line = headerGpioBase(this.root) + this.pin;
    const dir = join(this.root, `gpio${line}`);
    if (!existsSync(dir)) {
      writeFileSync(join(this.root, "export"), String(line));
      this.exported = true;
      // udev gives the new node its group a moment after the export.
      for (let i = 0; i < 50 && !existsSync(join(dir, "value")); i++) await new Promise((r) => setTimeout(r, 20));
    }
    writeFileSync(join(dir, "direction"), "out");
    // Read-write: a FIFO standing in for the value file opens without waiting for its reader.
    this.fd = openSync(join(dir, "value"), "r+");
  }

  set(level: 0 | 1): void {
    if (this.fd === undefined) throw new Error(`GPIO ${this.pin} is not open`);
    writeSync(this.fd, level ? "1" : "0");
  }

  close(): void {
    if (this.fd === undefined) return;
    this.set(0);
    closeSync(this.fd);
    this.fd = undefined;
    if (this.exported) writeFileSync(join(this.root, "unexport"), String(headerGpioBase(this.root) + this.pin));
  }
}
