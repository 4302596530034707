/* Every stratum1ctl subcommand, in the order `stratum1ctl help` lists them. */
import { captureCommand } from "./capture.js";
import { chronyCommand } from "./chronyCommand.js";
import { chronyConfigCommand } from "./chronyConfig.js";
import type { CtlCommand } from "./command.js";
import { configCommand } from "./config.js";
import { fleetFirewallCommand } from "./fleetFirewall.js";
import { frrConfigCommand } from "./frrConfig.js";
import { gpsCommand } from "./gpsCommand.js";
import { logForwardingCommand } from "./logForwarding.js";
import { logsCommand } from "./logsCommand.js";
import { metricsAccessCommand } from "./metricsAccess.js";
import { ppsCommand } from "./ppsCommand.js";
import { statusCommand } from "./statusCommand.js";
import { updateCommand } from "./update.js";

export const COMMANDS: readonly CtlCommand[] = [
  statusCommand,
  gpsCommand,
  ppsCommand,
  chronyCommand,
  captureCommand,
  configCommand,
  logsCommand,
  chronyConfigCommand,
  frrConfigCommand,
  fleetFirewallCommand,
  updateCommand,
  logForwardingCommand,
  metricsAccessCommand,
];
