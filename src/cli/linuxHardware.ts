/*
 * The hardware of a real box, from its configuration: the UART through
 * node-serialport's binding and the native reader, the kernel's PPS device in
 * sysfs, a GPIO pin through onoff, /dev/i2c-N, unix datagrams and SysV SHM
 * through the native addon, the host's figures from /proc and /sys, chrony
 * through chronyc. Nothing here is used by the simulator or the tests' fakes.
 */
import type { Config } from "../config/schema.js";
import type { Clock } from "../hal/clock.js";
import type { Hardware } from "../hal/hardware.js";
import { chronycQuery } from "../hal/linux/chronycQuery.js";
import { I2cBusDevice } from "../hal/linux/i2cBusDevice.js";
import { KernelPpsSysfs } from "../hal/linux/kernelPpsSysfs.js";
import { native } from "../hal/linux/native.js";
import { OnoffGpioLine } from "../hal/linux/onoffGpioLine.js";
import { procHostProbe } from "../hal/linux/procHostProbe.js";
import { SerialPortSource } from "../hal/linux/serialPortSource.js";
import { systemdNotifier } from "../hal/linux/systemdNotify.js";
import { sysvShm } from "../hal/linux/sysvShm.js";
import { unixDatagramPort } from "../hal/linux/unixDatagramPort.js";

export function linuxHardware(cfg: Config, clock: Clock, onError: (message: string) => void): Hardware {
  const hw: Hardware = {
    serial: new SerialPortSource(cfg["serial.path"], cfg["serial.baud"], clock),
    datagrams: unixDatagramPort(),
    timeTBytes: native().layouts().timeT === 4 ? 4 : 8,
    shm: sysvShm(),
    host: procHostProbe,
  };
  if (cfg["pps.sysfs"]) hw.kernelPps = new KernelPpsSysfs(cfg["pps.sysfs"], clock);
  if (cfg["pps.gpio"] !== null) hw.gpioPps = new OnoffGpioLine(cfg["pps.gpio"]);
  if (cfg["lcd.bus"] !== null) hw.i2c = new I2cBusDevice(cfg["lcd.bus"]);
  if (cfg["chrony.command"]) hw.chrony = chronycQuery(cfg["chrony.command"]);
  const manager = systemdNotifier(process.env, onError);
  if (manager) hw.serviceManager = manager;
  return hw;
}
