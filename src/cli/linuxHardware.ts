/*
 * The hardware of a real box, from its configuration: the UART through
 * node-serialport's binding and the native reader, the kernel's PPS device in
 * sysfs, a GPIO pin through onoff, /dev/i2c-N, unix datagrams and SysV SHM
 * through the native addon, the host's figures from /proc and /sys, chrony
 * over its UDP command port and, where allowed, its unix control socket; the
 * fleet gate's and the updater's state files from /run.
 */
import { openingBaud, parseLoopbackPort, type Config } from "../config/schema.js";
import type { Clock } from "../hal/clock.js";
import type { CommandChannel } from "../hal/commandChannel.js";
import type { Hardware } from "../hal/hardware.js";
import { I2cBusDevice } from "../hal/linux/i2cBusDevice.js";
import { KernelPpsSysfs } from "../hal/linux/kernelPpsSysfs.js";
import { native } from "../hal/linux/native.js";
import { OnoffGpioLine } from "../hal/linux/onoffGpioLine.js";
import { fileStateFiles } from "../hal/linux/fileStateFiles.js";
import { procHostProbe } from "../hal/linux/procHostProbe.js";
import { SerialPortSource } from "../hal/linux/serialPortSource.js";
import { systemdNotifier } from "../hal/linux/systemdNotify.js";
import { sysvShm } from "../hal/linux/sysvShm.js";
import { openUdpCommandChannel } from "../hal/linux/udpCommandChannel.js";
import { openUnixCommandChannel } from "../hal/linux/unixCommandChannel.js";
import { unixDatagramPort } from "../hal/linux/unixDatagramPort.js";

export async function linuxHardware(cfg: Config, clock: Clock, onError: (message: string) => void): Promise<Hardware> {
  const serial = new SerialPortSource(cfg["serial.path"], openingBaud(cfg["serial.baud"]), clock);
  const hw: Hardware = {
    serial,
    // The same UART, both ways: receiver control identifies and configures the receiver through it.
    receiverLink: serial,
    datagrams: unixDatagramPort(),
    timeTBytes: native().layouts().timeT === 4 ? 4 : 8,
    shm: sysvShm(),
    host: procHostProbe,
    stateFiles: fileStateFiles,
    lineRun: native().lineRun,
  };
  if (cfg["pps.sysfs"]) hw.kernelPps = new KernelPpsSysfs(cfg["pps.sysfs"], clock);
  if (cfg["pps.gpio"] !== null) hw.gpioPps = new OnoffGpioLine(cfg["pps.gpio"]);
  if (cfg["lcd.bus"] !== null) hw.i2c = new I2cBusDevice(cfg["lcd.bus"]);
  const chrony = await chronyChannels(cfg, onError);
  if (chrony.monitoring || chrony.control) hw.chrony = chrony;
  const manager = systemdNotifier(process.env, onError);
  if (manager) hw.serviceManager = manager;
  return hw;
}

/** chronyd's command sockets the config allows; one that cannot be opened is reported, and the service runs on without its figures. */
async function chronyChannels(cfg: Config, onError: (message: string) => void): Promise<{ monitoring?: CommandChannel; control?: CommandChannel }> {
  const out: { monitoring?: CommandChannel; control?: CommandChannel } = {};
  const monitor = cfg["chrony.monitor"] ? parseLoopbackPort(cfg["chrony.monitor"]) : undefined;
  if (monitor) {
    try {
      out.monitoring = await openUdpCommandChannel(monitor.host, monitor.port);
    } catch (err) {
      onError(`chrony: ${(err as Error).message}`);
    }
  }
  if (cfg["chrony.control"]) {
    try {
      out.control = await openUnixCommandChannel(cfg["chrony.control"]);
    } catch (err) {
      onError(`chrony: ${(err as Error).message}; the NTP request counts and the client list are not read (set chrony.control = off to stop trying)`);
    }
  }
  return out;
}
