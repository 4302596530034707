/*
 * `stratum1ctl chrony-config`: chrony's configuration as generated from
 * stratum1.conf, printed, or written with --out (what chrony.service's
 * drop-in runs before every start). A bad stratum1.conf still yields a
 * configuration (the broken keys keep their defaults) so that chrony keeps
 * serving time; the problems go to stderr and the exit code is 1, which
 * `systemctl status chrony` shows against the drop-in's step.
 */
import { mkdirSync } from "node:fs";
import { EXIT } from "../exitCodes.js";
import { dirname } from "node:path";
import { chronyConf } from "../../chrony/chronyConf.js";
import { replaceFileAtomically } from "../../config/atomicFile.js";
import type { CtlCommand } from "./command.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs, readConfig } from "./configFile.js";
import { installedChronyFeatures } from "./installedChronyd.js";

const usage = `usage: stratum1ctl chrony-config [--config FILE] [--out FILE]
Prints chrony's configuration generated from stratum1.conf (default $STRATUM1_CONFIG, else ${DEFAULT_CONFIG_PATH}),
or writes it to FILE atomically. Exit 1 when stratum1.conf has problems (listed on stderr;
the configuration is still produced, with defaults for the keys in question).`;

export const chronyConfigCommand: CtlCommand = {
  name: "chrony-config",
  summary: "print (or --out FILE) the chrony configuration generated from stratum1.conf",
  usage,
  async run(args, io) {
    const parsed = parseCtlArgs(args, { config: { type: "string" }, out: { type: "string" } }, usage, io);
    if (!parsed) return EXIT.usage;
    if (parsed.positionals.length > 0) {
      io.err(`stratum1ctl chrony-config: unexpected '${parsed.positionals[0]}'\n${usage}\n`);
      return EXIT.usage;
    }
    const path = configPath(parsed.values.config, io.env);
    const { config, problems } = readConfig(path);
    for (const p of problems) io.err(`stratum1ctl chrony-config: ${p}\n`);
    if (problems.length > 0) io.err(`stratum1ctl chrony-config: chrony gets the defaults for the keys above; fix them with 'stratum1ctl config check'\n`);
    // Written for the chronyd that will read it: a directive it does not know would stop it starting.
    const text = chronyConf(config, undefined, path, installedChronyFeatures(io.env));
    const out = parsed.values.out;
    if (out === undefined) io.out(text);
    else {
      try {
        mkdirSync(dirname(out), { recursive: true });
        replaceFileAtomically(out, text);
      } catch (err) {
        io.err(`stratum1ctl chrony-config: cannot write ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
        return EXIT.failed;
      }
    }
    return problems.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
