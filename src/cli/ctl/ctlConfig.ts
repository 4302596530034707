/*
 * The box's configuration as stratum1ctl sees it: the same file and loader
 * as the service (--config FILE, else STRATUM1_CONFIG, else
 * /etc/stratum1/stratum1.conf), so the tool finds the sockets and files the
 * service uses. A bad file is reported line by line, as the service would.
 */
import { existsSync } from "node:fs";
import { ConfigError, loadConfigFile } from "../../config/load.js";
import { defaults, type Config } from "../../config/schema.js";
import type { CtlIo } from "./command.js";

export const DEFAULT_CONFIG_PATH = "/etc/stratum1/stratum1.conf";

export function ctlOption(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function ctlConfigPath(args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const given = ctlOption(args, "--config") ?? env.STRATUM1_CONFIG;
  if (given) return given;
  return existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined;
}

/** The config, or undefined after printing its problems. */
export function ctlConfig(args: readonly string[], io: CtlIo): Config | undefined {
  const path = ctlConfigPath(args, io.env);
  if (!path) return defaults();
  const problems: string[] = [];
  const cfg = loadConfigFile(path, defaults(), problems);
  if (problems.length > 0) {
    io.err(new ConfigError(problems).message + "\n");
    return undefined;
  }
  return cfg;
}
