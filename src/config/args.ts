/*
 * Command-line flags. Each named flag is an override of one config key; the
 * flags tests and benches use (--serial --baud --sock --shm --config) are a
 * stable interface. `--set key=value` reaches any other key.
 */
import { defaults, type Config, type ConfigKey } from "./schema.js";
import { applySetting, ConfigError, loadConfigFile } from "./load.js";

const FLAG_KEYS: Record<string, ConfigKey> = {
  "--serial": "serial.path",
  "--baud": "serial.baud",
  "--sock": "chrony.sock",
  "--shm": "shm.unit",
  "--status": "status.path",
  "--metrics": "metrics.listen",
  "--floor": "time.floor",
  "--log-level": "log.level",
  "--pps-sysfs": "pps.sysfs",
  "--pps-sock": "pps.sock",
  "--pps-gpio": "pps.gpio",
  "--pps-edge": "pps.edge",
};

export interface CommandLine {
  config: Config;
  help: boolean;
  helpConfig: boolean;
  /** --man-config: print stratum1.conf(5) (roff), generated from the schema. */
  manConfig: boolean;
}

export function parseCommandLine(argv: readonly string[], defaultConfigPath?: string): CommandLine {
  const problems: string[] = [];
  const overrides: Array<[string, string, string]> = [];
  let configPath = defaultConfigPath;
  let help = false;
  let helpConfig = false;
  let manConfig = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") && arg.startsWith("--") && !arg.startsWith("--set") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined) problems.push(`${flag} needs a value`);
      else i++;
      return v;
    };
    if (flag === "--help" || flag === "-h") help = true;
    else if (flag === "--help-config") helpConfig = true;
    else if (flag === "--man-config") manConfig = true;
    else if (flag === "--config") {
      const v = value();
      if (v !== undefined) configPath = v;
    } else if (flag === "--set") {
      const v = value();
      if (v === undefined) continue;
      const eq = v.indexOf("=");
      if (eq < 0) problems.push(`--set ${v}: expected key=value`);
      else overrides.push([v.slice(0, eq), v.slice(eq + 1), `--set ${v}`]);
    } else if (FLAG_KEYS[flag]) {
      const v = value();
      if (v !== undefined) overrides.push([FLAG_KEYS[flag]!, v, `${flag} ${v}`]);
    } else problems.push(`unknown option '${arg}'; see --help`);
  }
  let config = defaults();
  if (configPath) config = loadConfigFile(configPath, config, problems);
  for (const [key, raw, where] of overrides) applySetting(config, key, raw, where, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, help, helpConfig, manConfig };
}

export const USAGE = `usage: stratum1d [--config FILE] [--serial PATH] [--baud N] [--sock PATH|off] [--shm UNIT|off]
                 [--pps-sysfs DIR|off] [--pps-sock PATH|off] [--pps-gpio PIN|off] [--pps-edge auto|after|before]
                 [--status PATH|off] [--metrics ADDRESS:PORT|off] [--floor YYYY-MM-DD] [--log-level LEVEL] [--set key=value]...
                 [--help-config] [--man-config]
Reads the GPS receiver on the serial port and its pulse-per-second edges, labels each edge
with its UTC second, and feeds chrony (SOCK refclocks) and/or ntpd (SHM).
Flags override the config file; --help-config lists every key, --man-config prints
stratum1.conf(5) from the same table. See stratum1d(8).`;
