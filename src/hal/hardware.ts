/*
 * Everything the service touches outside its own memory, in one object handed
 * to startService: the entry point that builds it is the only place that
 * knows whether a part is real (cli/stratum1d.ts: the Pi's UART, the kernel's
 * PPS device, /dev/i2c-1, chronyd's sockets) or a fake (sim/: a pty or a
 * scripted byte stream, a sysfs-shaped directory, an emulated LCD, collected
 * datagrams). Below that, the same code runs on the box, in the simulator, in
 * the hardware-in-the-loop harness and in virtual-time tests. Absent parts
 * are features the box does without (no display, no pulse wire).
 */
import type { ByteSource } from "./byteSource.js";
import type { CommandChannel } from "./commandChannel.js";
import type { DatagramPort } from "./datagramPort.js";
import type { GpioLine } from "./gpioLine.js";
import type { HostProbe } from "./hostProbe.js";
import type { I2cBus } from "./i2cBus.js";
import type { LineRun } from "./lineRun.js";
import type { PulseSource } from "./pulseSource.js";
import type { ReceiverLink } from "./receiverLink.js";
import type { ServiceManager } from "./serviceManager.js";
import type { ShmSegments } from "./shmSegments.js";
import type { StateFiles } from "./stateFiles.js";

export interface Hardware {
  /** The receiver's serial line. */
  serial: ByteSource;
  /** Its transmit side, for identifying and configuring the receiver; absent: the box only listens. */
  receiverLink?: ReceiverLink;
  /** The kernel's PPS device (pps-gpio): edges stamped in the interrupt handler. */
  kernelPps?: PulseSource;
  /** A header pin watched in user space, for boards without the overlay (or to cross-check it). */
  gpioPps?: GpioLine;
  /** The LCD backpack's bus. */
  i2c?: I2cBus;
  /** Where chrony's SOCK refclock datagrams go. */
  datagrams: DatagramPort;
  /** The width of time_t in chronyd's struct sock_sample on this system (4 on 32-bit Raspberry Pi OS). */
  timeTBytes: 4 | 8;
  /** The SHM refclock segments of ntpd/ntpsec (and chrony's refclock SHM). */
  shm: ShmSegments;
  host: HostProbe;
  /** The fleet gate's and the updater's state files; absent where neither runs (the simulator), and neither is shown. */
  stateFiles?: StateFiles;
  /**
   * chronyd's command sockets: its UDP port, which answers monitoring
   * requests only, and its unix control socket, held only where the config
   * allows it (chrony.control). Absent when the service does not read chrony.
   */
  chrony?: { monitoring?: CommandChannel; control?: CommandChannel };
  /** The native addon's copy of the framer's inner loop; absent: the TypeScript one (same answers, ~50× the cost on --jitless). */
  lineRun?: LineRun;
  /** systemd's notify socket, when run by systemd. */
  serviceManager?: ServiceManager;
}
