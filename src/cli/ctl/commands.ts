/* Every stratum1ctl subcommand, in the order `stratum1ctl help` lists them. */
import { chronyConfigCommand } from "./chronyConfig.js";
import type { CtlCommand } from "./command.js";
import { configCommand } from "./config.js";

export const COMMANDS: readonly CtlCommand[] = [configCommand, chronyConfigCommand];
