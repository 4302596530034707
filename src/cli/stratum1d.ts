#!/usr/bin/env node
/* The stratum1d daemon: parse flags and config, start the service, stop cleanly on SIGTERM/SIGINT. */
import { parseCommandLine, USAGE } from "../config/args.js";
import { ConfigError } from "../config/load.js";
import { FIRMWARE_FLOOR_DATE, SCHEMA } from "../config/schema.js";
import { configManPage } from "../config/manPage.js";
import { CHRONY_KEYS } from "../chrony/chronyConf.js";
import { servicesFor } from "./ctl/configSet.js";
import { readFileSync } from "node:fs";
import { SerialPortSource } from "../hal/linux/serialPortSource.js";
import { systemClock } from "../hal/linux/systemClock.js";
import { stdoutLogger } from "../log/logger.js";
import { startService } from "../main.js";
import { systemdNotifier } from "../hal/linux/systemdNotify.js";
import { statusLine } from "./systemdStatusLine.js";

function main(): void {
  let cmd;
  try {
    cmd = parseCommandLine(process.argv.slice(2), process.env.STRATUM1_CONFIG);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stdout.write(`<3>config: ${p}\n`);
      process.exit(78); // EX_CONFIG: systemd will not restart-loop on a bad config
    }
    throw err;
  }
  if (cmd.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (cmd.helpConfig) {
    for (const [key, spec] of Object.entries(SCHEMA)) process.stdout.write(`${key} = ${spec.default ?? "off"}\n    ${spec.doc}\n`);
    return;
  }
  if (cmd.manConfig) {
    const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
    process.stdout.write(configManPage(SCHEMA, { version, date: FIRMWARE_FLOOR_DATE, chronyKeys: CHRONY_KEYS, restartsFor: (k) => servicesFor([k]).map((s) => s.replace(/\.service$/, "")) }));
    return;
  }
  const cfg = cmd.config;
  const log = stdoutLogger(cfg["log.level"]);
  const clock = systemClock();
  log.info(`stratum1d starting: serial ${cfg["serial.path"]} @ ${cfg["serial.baud"]}, chrony SOCK ${cfg["chrony.sock"] ?? "off"}, SHM ${cfg["shm.unit"] ?? "off"}; pulse: kernel ${cfg["pps.sysfs"] ?? "off"}, GPIO ${cfg["pps.gpio-fifo"] ?? cfg["pps.gpio"] ?? "off"}, PPS SOCK ${cfg["pps.sock"] ?? "off"}, PPS SHM ${cfg["pps.shm"] ?? "off"}, edge ${cfg["pps.edge"]}`);
  const systemd = systemdNotifier(process.env, (m) => log.warn(m));
  const service = startService(cfg, clock, new SerialPortSource(cfg["serial.path"], cfg["serial.baud"], clock), log, {
    tick: (snap) => {
      systemd?.watchdog();
      systemd?.status(statusLine(snap, clock.realtimeUs()));
    },
  });
  // Up means configured and reading: the GPS may take minutes to a fix, which the status line tells.
  systemd?.ready("waiting for GPS");
  if (systemd?.watchdogMs) log.info(`systemd watchdog: pinging every second from the status tick (WatchdogSec ${systemd.watchdogMs / 1000} s)`);
  const shutdown = (sig: string): void => {
    systemd?.stopping();
    log.info(`stratum1d stopping (${sig})`);
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main();
