/*
 * The rig back end: the capture goes out of a Raspberry Pi's pins into the
 * appliance's, over real wires. Serial bytes leave a second UART at the
 * capture's baud rate (and change rate when the capture says the receiver
 * did); each pulse edge raises a GPIO output for PULSE_MS (or until the
 * capture's clear edge). Wiring (README of test/hil): rig UART TX → the
 * appliance's RX (GPIO 15), rig GPIO → the appliance's PPS pin (GPIO 18),
 * common ground; on one Pi, a loopback from UART2/3/4/5 TX and a spare GPIO.
 * The appliance stamps the edge itself, so its stamps are not the capture's:
 * samples are matched to the moment the edge was sent.
 * A cable cannot be pulled by software: "unplug" is silence on both wires
 * until "replug".
 */
import { errnoName, native } from "../../src/hal/linux/native.js";
import type { ReplayBackend } from "../../sim/replay/replayBackend.js";
import { SysfsGpioOutput } from "./sysfsGpioOutput.js";

const PULSE_MS = 100;

export interface RigOptions {
  /** The rig's transmitting UART (e.g. /dev/ttyAMA2), wired to the appliance's RX. */
  uart: string;
  baud: number;
  /** The rig's BCM output pin wired to the appliance's PPS input. */
  gpioPin: number;
  /** The sysfs GPIO root (tests: a directory shaped like it). */
  gpioRoot?: string;
  /** What the service under test reads: its serial device and its kernel PPS directory… */
  applianceSerial: string;
  ppsSysfs: string;
  /** …or instead of the kernel directory, the service's own flags for a user-space pulse input (tests). */
  pulseArgs?: string[];
  /** How far the service's stamp of an edge may be from the moment it was sent: kernel ~µs, user space ~ms. */
  toleranceS?: number;
}

export async function openRigBackend(opts: RigOptions): Promise<RigBackend> {
  const gpio = new SysfsGpioOutput(opts.gpioPin, opts.gpioRoot);
  await gpio.open();
  const fd = native().ttyOpen(opts.uart, opts.baud);
  if (fd < 0) throw new Error(`rig: cannot open ${opts.uart} at ${opts.baud} baud (${errnoName(fd)})`);
  return new RigBackend(opts, fd, gpio);
}

export class RigBackend implements ReplayBackend {
  readonly name: string;
  readonly stamps: { exact: false; toleranceS: number };
  private silent = false;
  private lowTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: RigOptions,
    private readonly fd: number,
    private readonly gpio: SysfsGpioOutput,
  ) {
    this.name = `rig (${opts.uart} at ${opts.baud} baud, pulse on GPIO ${opts.gpioPin})`;
    this.stamps = { exact: false, toleranceS: opts.toleranceS ?? 0.005 };
  }

  serviceArgs(): string[] {
    return ["--serial", this.opts.applianceSerial, ...(this.opts.pulseArgs ?? ["--pps-sysfs", this.opts.ppsSysfs])];
  }

  serial(bytes: Buffer): Promise<void> {
    if (this.silent) return Promise.resolve();
    // Writes keep their order; the player does not wait for the UART to drain.
    this.writing = this.writing.then(() => this.check("write", native().ttyWrite(this.fd, bytes, false)));
    return Promise.resolve();
  }

  lineIdle(): void {}

  assert(): void {
    if (this.silent) return;
    this.gpio.set(1);
    clearTimeout(this.lowTimer);
    this.lowTimer = setTimeout(() => this.gpio.set(0), PULSE_MS);
  }

  clear(): void {
    if (this.silent) return;
    clearTimeout(this.lowTimer);
    this.gpio.set(0);
  }

  async setTransmitBaud(baud: number): Promise<void> {
    await this.writing;
    await this.check("set the rate", Promise.resolve(native().ttySetBaud(this.fd, baud)));
  }

  async unplug(): Promise<void> {
    this.silent = true;
  }

  async replug(): Promise<void> {
    this.silent = false;
  }

  async close(): Promise<void> {
    clearTimeout(this.lowTimer);
    await this.writing.catch(() => undefined);
    this.gpio.close();
    native().fdClose(this.fd);
  }

  private async check(what: string, result: Promise<number>): Promise<void> {
    const rc = await result;
    if (rc < 0) throw new Error(`rig: cannot ${what} on ${this.opts.uart} (${errnoName(rc)})`);
  }
}
