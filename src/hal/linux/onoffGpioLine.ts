/* A header pin through onoff (sysfs GPIO + epoll), with its rising edges stamped as the callback runs. */
import { createRequire } from "node:module";
import type { Gpio } from "onoff";
import type { GpioLine } from "../gpioLine.js";
import { realtimeInstant } from "./native.js";
import type { Instant } from "../instant.js";
import { headerGpioBase } from "./gpioChipBase.js";

export class OnoffGpioLine implements GpioLine {
  readonly name: string;
  private gpio: Gpio | undefined;

  constructor(private readonly pin: number) {
    this.name = `gpio:BCM${pin}`;
  }

  watchRising(onEdge: (stamp: Instant) => void, onError: (detail: string) => void): void {
    try {
      const line = headerGpioBase() + this.pin;
      // Loaded when a pin is watched, not with the service: pps.gpio is off on most boxes, and onoff
      // with its epoll addon is 1 MB of memory to import (docs/bench.md).
      const { Gpio: GpioClass } = createRequire(import.meta.url)("onoff") as typeof import("onoff");
      this.gpio = new GpioClass(line, "in", "rising");
      this.gpio.watch((err) => {
        const stamp = realtimeInstant();
        if (err) onError(`GPIO ${this.pin}: ${err.message}`);
        else onEdge(stamp);
      });
    } catch (err) {
      const msg = (err as Error).message;
      onError(
        /EBUSY/.test(msg)
          ? `GPIO ${this.pin} is busy: the pps-gpio overlay owns it; use pps.sysfs for that pin, or wire a second pin for pps.gpio`
          : `cannot watch GPIO ${this.pin}: ${msg} (the service needs the gpio group)`,
      );
    }
  }

  close(): void {
    this.gpio?.unexport();
    this.gpio = undefined;
  }
}
