#!/usr/bin/env node
/*
 * What the front panel says while stratum1d is not running: systemd runs
 * this after every stop of the service (ExecStopPost), with the result in
 * its environment. A stop that was asked for leaves the service's own last
 * words ("stratum1d stopped"); a crash, a hang the watchdog ended or a bad
 * configuration puts "SERVICE DOWN" and the cause on the glass, so a frozen
 * clock on a panel is never mistaken for a working box. It draws once and
 * exits; the service redraws everything when it is back.
 */
import { parseCommandLine } from "../config/args.js";
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { FrontPanel } from "../display/frontPanel.js";
import { panelOptions } from "../display/panelOptions.js";
import { I2cBusDevice } from "../hal/linux/i2cBusDevice.js";
import { systemClock } from "../hal/linux/systemClock.js";
import { stdoutLogger } from "../log/logger.js";
import { EXIT } from "./exitCodes.js";
import { noticeFor } from "./serviceNotice.js";

async function main(): Promise<number> {
  const lines = noticeFor(process.env);
  if (!lines) return EXIT.ok;
  let cfg: Config;
  try {
    cfg = parseCommandLine(process.argv.slice(2), process.env.STRATUM1_CONFIG).config;
  } catch (err) {
    // A config too broken to read cannot say where the display is: the journal says why the service stopped.
    if (err instanceof ConfigError) return EXIT.ok;
    throw err;
  }
  if (cfg["lcd.bus"] === null) return EXIT.ok;
  const clock = systemClock();
  const log = stdoutLogger(cfg["log.level"]);
  const bus = new I2cBusDevice(cfg["lcd.bus"]);
  const panel = new FrontPanel(bus, clock, log, panelOptions(cfg, clock));
  try {
    await panel.showText(lines);
  } catch (err) {
    log.warn(`panel notice: ${(err as Error).message}`);
  } finally {
    await bus.close().catch(() => undefined);
  }
  return EXIT.ok;
}

// Never fails the unit's stop: the notice is a courtesy.
main().then(
  (code) => process.exit(code),
  () => process.exit(EXIT.ok),
);
