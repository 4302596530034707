#!/usr/bin/env node
/*
 * stratum1d for the simulated appliance, the harness and the tests that run
 * the daemon as a process: the product's own command line and service, on the
 * Linux hardware except for the two parts a test machine cannot have. The
 * LCD is an emulated backpack behind a unix socket (--lcd-socket PATH, served
 * by fakes/i2cBusServer.ts), the user-space GPIO pin a FIFO (--gpio-fifo
 * PATH, each byte '1' a rising edge). The UART is whatever --serial names (a
 * pty) and the kernel PPS device whatever --pps-sysfs names (a sysfs-shaped
 * directory): the real adapters read those.
 *   node dist/sim/simd.js [--lcd-socket PATH] [--gpio-fifo PATH] STRATUM1D-FLAGS...
 */
import { runDaemon } from "../src/cli/daemon.js";
import { linuxHardware } from "../src/cli/linuxHardware.js";
import { FifoGpioLine } from "./fakes/fifoGpioLine.js";
import { SocketI2cBus } from "./fakes/socketI2cBus.js";

const SIM_FLAGS = ["--lcd-socket", "--gpio-fifo"] as const;

function takeSimFlags(argv: readonly string[]): { sim: Partial<Record<(typeof SIM_FLAGS)[number], string>>; rest: string[] } {
  const sim: Partial<Record<(typeof SIM_FLAGS)[number], string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = SIM_FLAGS.find((f) => f === argv[i]);
    if (flag && argv[i + 1] !== undefined) sim[flag] = argv[++i]!;
    else rest.push(argv[i]!);
  }
  return { sim, rest };
}

const { sim, rest } = takeSimFlags(process.argv.slice(2));
runDaemon(rest, (cfg, clock, log) => {
  const hw = linuxHardware(cfg, clock, (m) => log.warn(m));
  // No /dev/i2c-N or sysfs GPIO on a test machine: the emulated ones, or none.
  delete hw.i2c;
  delete hw.gpioPps;
  if (sim["--lcd-socket"]) hw.i2c = new SocketI2cBus(sim["--lcd-socket"]);
  if (sim["--gpio-fifo"]) hw.gpioPps = new FifoGpioLine(sim["--gpio-fifo"]);
  return hw;
});
