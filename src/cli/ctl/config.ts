/*
 * `stratum1ctl config check|set`: the two ways an operator works on
 * stratum1.conf; and `config is KEY=VALUE`, the question units ask of it in
 * their ExecCondition (FRR and the fleet units run only on a box in a
 * fleet), answered by the same parser as everything else rather than a grep.
 */
import type { CtlCommand } from "./command.js";
import { EXIT } from "../exitCodes.js";
import { checkConfig } from "./configCheck.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs } from "./configFile.js";
import { setConfig } from "./configSet.js";
import { applySetting, loadConfigFile } from "../../config/load.js";
import { defaults } from "../../config/schema.js";
import type { CtlIo } from "./command.js";

const usage = `usage: stratum1ctl config check [--config FILE]
       stratum1ctl config set [--config FILE] [--restart] KEY=VALUE...
       stratum1ctl config is [--config FILE] KEY=VALUE
check: every problem in stratum1.conf at once (line, key, fix), and the chrony configuration
       generated from it through 'chronyd -p' when chronyd is installed. Exit 1 on any problem.
set:   check the values and the resulting file, replace the file atomically (comments and other
       lines kept), print what changed and which services to restart; --restart restarts them.
is:    exit 0 when the file gives KEY that VALUE (its default included), 1 when not: for a
       unit's ExecCondition. A line with a problem counts as absent.
FILE defaults to $STRATUM1_CONFIG, else ${DEFAULT_CONFIG_PATH}. Keys: stratum1d --help-config.`;

export const configCommand: CtlCommand = {
  name: "config",
  summary: "check stratum1.conf, or set keys in it (config check | config set KEY=VALUE... [--restart])",
  usage,
  async run(args, io) {
    const parsed = parseCtlArgs(args, { config: { type: "string" }, restart: { type: "boolean" } }, usage, io);
    if (!parsed) return EXIT.usage;
    const [verb, ...rest] = parsed.positionals;
    const path = configPath(parsed.values.config, io.env);
    if (verb === "check" && rest.length === 0 && parsed.values.restart === undefined) return checkConfig(path, io);
    if (verb === "set") return setConfig(path, rest, parsed.values.restart === true, io);
    if (verb === "is" && rest.length === 1 && parsed.values.restart === undefined) return configIs(path, rest[0]!, io);
    io.err(`${usage}\n`);
    return EXIT.usage;
  },
};

function configIs(path: string, setting: string, io: CtlIo): number {
  const eq = setting.indexOf("=");
  // Problems in the file are config check's to report; here a bad line is as good as absent.
  const have = loadConfigFile(path, defaults(), []);
  // The file says so exactly when setting it would change nothing (old key names included).
  const probe = structuredClone(have);
  const problems: string[] = [];
  if (eq <= 0) problems.push(`'${setting}': expected KEY=VALUE, e.g. fleet.gate=on`);
  else applySetting(probe, setting.slice(0, eq).trim(), setting.slice(eq + 1).trim(), "the command line", problems);
  if (problems.length > 0) {
    io.err(`stratum1ctl config is: ${problems.join("; ")}\n`);
    return EXIT.usage;
  }
  return JSON.stringify(probe) === JSON.stringify(have) ? EXIT.ok : EXIT.failed;
}
