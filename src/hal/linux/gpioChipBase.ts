/*
 * Since Linux 6.6 the legacy sysfs GPIO numbers of the Pi's header pins are
 * offset by their chip's base (512 on a Pi 4, 571 on a Pi 5), so BCM pin 18
 * is gpio530 or gpio589, not gpio18. The base is read from the chip that
 * drives the header (label pinctrl-bcm27xx / pinctrl-rp1), never assumed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const HEADER_CHIP = /^pinctrl-(bcm2\d{3}|rp1)/;

export function headerGpioBase(gpioRoot = "/sys/class/gpio"): number {
  let entries: string[];
  try {
    entries = readdirSync(gpioRoot).filter((e) => e.startsWith("gpiochip"));
  } catch {
    throw new Error(`${gpioRoot} does not exist: this kernel has no sysfs GPIO (CONFIG_GPIO_SYSFS); use the kernel PPS overlay (pps.sysfs) instead`);
  }
  const chips = entries.map((e) => {
    const read = (f: string): string => readFileSync(join(gpioRoot, e, f), "latin1").trim();
    return { label: read("label"), base: Number(read("base")) };
  });
  const header = chips.find((c) => HEADER_CHIP.test(c.label));
  if (header) return header.base;
  // Kernels before 6.6 number the SoC chip from 0; with no recognisable label, the lowest base is the SoC's.
  const lowest = chips.sort((a, b) => a.base - b.base)[0];
  if (!lowest) throw new Error(`no gpiochip in ${gpioRoot}`);
  return lowest.base;
}
