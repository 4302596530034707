/*
 * Where stratum1ctl finds the service: the same config file the service
 * reads (--config FILE, else $STRATUM1_CONFIG, else /etc/stratum1/stratum1.conf
 * when it exists), loaded with the service's own loader, for status.path and
 * chrony.command; --status FILE points at a snapshot directly (tests,
 * debugging a copied file). Flags every view command shares are parsed here.
 */
import { existsSync } from "node:fs";
import { loadConfigFile } from "../../config/load.js";
import { defaults, type Config } from "../../config/schema.js";
import { systemClock } from "../../hal/linux/systemClock.js";
import type { CtlIo } from "./command.js";
import { EXIT } from "../exitCodes.js";

export const DEFAULT_CONFIG_PATH = "/etc/stratum1/stratum1.conf";

export interface CtlOptions {
  config: Config;
  /** Where the config came from, for messages ("built-in defaults" when there is no file). */
  configSource: string;
  statusPath: string | null;
  json: boolean;
  /** Flags this parser does not know, in order, for the command's own parsing. */
  rest: string[];
}

/** A failure says whether the command line (usage) or the config file (config) is at fault. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; exit: (typeof EXIT)["usage" | "config"] };

/** Parses --config, --status and --json (each also as --flag=value); problems in the config file are reported all at once. */
export function parseCtlOptions(args: readonly string[], io: CtlIo): Parsed<CtlOptions> {
  let configPath: string | undefined;
  let statusPath: string | undefined;
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : args[++i]);
    if (flag === "--json") json = true;
    else if (flag === "--config" || flag === "--status") {
      const v = value();
      if (v === undefined || v === "") return { ok: false, message: `${flag} needs a file name`, exit: EXIT.usage };
      if (flag === "--config") configPath = v;
      else statusPath = v;
    } else rest.push(arg);
  }
  const explicit = configPath ?? io.env.STRATUM1_CONFIG;
  const path = explicit ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
  const problems: string[] = [];
  const config = path ? loadConfigFile(path, defaults(), problems) : defaults();
  if (problems.length > 0) return { ok: false, message: `configuration ${path}:\n  ${problems.join("\n  ")}`, exit: EXIT.config };
  return { ok: true, value: { config, configSource: path ?? "built-in defaults (no config file)", statusPath: statusPath ?? config["status.path"], json, rest } };
}

/** Realtime µs from the io's clock; the system clock when the caller gave none. */
export const nowUs = (io: CtlIo): number => (io.clock ?? systemClock()).realtimeUs();
