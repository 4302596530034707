/* Every stratum1ctl subcommand, in the order `stratum1ctl help` lists them. */
import { captureCommand } from "./capture.js";
import type { CtlCommand } from "./command.js";

export const COMMANDS: readonly CtlCommand[] = [captureCommand];
