/*
 * A stratum1 daemon process: flags and config in, the service started on the
 * hardware the caller builds, one orderly stop on SIGTERM/SIGINT. stratum1d
 * builds the Linux hardware; the simulator's daemon (sim/simd.ts) builds its
 * fakes and runs exactly this.
 */
import { type CommandLine, parseCommandLine, USAGE } from "../config/args.js";
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { FIRMWARE_FLOOR_DATE, SCHEMA } from "../config/schema.js";
import { configManPage } from "../config/manPage.js";
import { CHRONY_KEYS } from "../chrony/chronyConf.js";
import { servicesFor } from "../config/keyReaders.js";
import { readFileSync } from "node:fs";
import type { Clock } from "../hal/clock.js";
import type { Hardware } from "../hal/hardware.js";
import { systemClock } from "../hal/linux/systemClock.js";
import { stdoutLogger, type Logger } from "../log/logger.js";
import { startService, type Service } from "../main.js";
import { EXIT } from "./exitCodes.js";

export type HardwareBuilder = (cfg: Config, clock: Clock, log: Logger) => Promise<Hardware>;

export function runDaemon(argv: readonly string[], buildHardware: HardwareBuilder): void {
  let cmd: CommandLine;
  try {
    cmd = parseCommandLine(argv, process.env.STRATUM1_CONFIG);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stdout.write(`<3>config: ${p}\n`);
      // systemd does not restart-loop on EX_CONFIG (RestartPreventExitStatus).
      process.exit(EXIT.config);
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
  log.info(
    `stratum1d starting: serial ${cfg["serial.path"]} @ ${cfg["serial.baud"]}, chrony SOCK ${cfg["chrony.sock"] ?? "off"}, SHM ${cfg["shm.unit"] ?? "off"}; pulse: kernel ${cfg["pps.sysfs"] ?? "off"}, GPIO ${cfg["pps.gpio"] ?? "off"}, PPS SOCK ${cfg["pps.sock"] ?? "off"}, PPS SHM ${cfg["pps.shm"] ?? "off"}, edge ${cfg["pps.edge"]}`,
  );
  let service: Service | undefined;
  let stopping = false;
  const shutdown = (sig: string): void => {
    // A second signal (Ctrl-C twice, or a terminal's SIGINT after the manager's SIGTERM) changes nothing.
    if (stopping) return;
    stopping = true;
    log.info(`stratum1d stopping (${sig})`);
    (service ? service.stop() : Promise.resolve()).then(
      () => process.exit(EXIT.ok),
      (err: Error) => {
        log.error(`stratum1d: stop failed: ${err.message}`);
        process.exit(EXIT.software);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  buildHardware(cfg, clock, log).then(
    (hardware) => {
      if (!stopping) service = startService(cfg, hardware, clock, log);
    },
    (err: Error) => {
      log.error(`stratum1d: cannot set up its hardware: ${err.message}`);
      process.exit(EXIT.software);
    },
  );
}
