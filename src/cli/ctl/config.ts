/* `stratum1ctl config check|set`: the two ways an operator works on stratum1.conf. */
import type { CtlCommand } from "./command.js";
import { EXIT } from "../exitCodes.js";
import { checkConfig } from "./configCheck.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs } from "./configFile.js";
import { setConfig } from "./configSet.js";

const usage = `usage: stratum1ctl config check [--config FILE]
       stratum1ctl config set [--config FILE] [--restart] KEY=VALUE...
check: every problem in stratum1.conf at once (line, key, fix), and the chrony configuration
       generated from it through 'chronyd -p' when chronyd is installed. Exit 1 on any problem.
set:   check the values and the resulting file, replace the file atomically (comments and other
       lines kept), print what changed and which services to restart; --restart restarts them.
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
    io.err(`${usage}\n`);
    return EXIT.usage;
  },
};
