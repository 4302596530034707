/*
 * Which stratum1.conf a stratum1ctl command works on, and reading it with
 * every problem collected, as stratum1d does: --config FILE, else
 * STRATUM1_CONFIG (what the unit sets), else the appliance's path.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { chronyConfProblems } from "../../chrony/chronyConf.js";
import { loadConfigFile } from "../../config/load.js";
import { fleetProblems } from "../../fleet/gateSettings.js";
import { defaults, type Config } from "../../config/schema.js";
import type { CtlIo } from "./command.js";
import { DEFAULT_CONFIG_PATH } from "./ctlOptions.js";

export { DEFAULT_CONFIG_PATH };

export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.STRATUM1_CONFIG ?? DEFAULT_CONFIG_PATH;
}

/** The config as the service would read it, plus what chrony and the fleet could not be given; problems name line, key and fix. */
export function readConfig(path: string): { config: Config; problems: string[] } {
  const problems: string[] = [];
  const config = loadConfigFile(path, defaults(), problems);
  return { config, problems: [...problems, ...[...chronyConfProblems(config), ...fleetProblems(config)].map((p) => `${path}: ${p}`)] };
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node's parseArgs, with a usage error (exit 2) instead of an exception for an unknown or incomplete option. */
export function parseCtlArgs<O extends Options>(args: readonly string[], options: O, usage: string, io: CtlIo) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`stratum1ctl: ${(err as Error).message}\n${usage}\n`);
    return null;
  }
}
