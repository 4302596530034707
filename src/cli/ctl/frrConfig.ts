/*
 * `stratum1ctl frr-config`: FRR's configuration generated from stratum1.conf's
 * fleet.* keys, printed, or written with --out (what frr.service's stratum1
 * drop-in runs before every start); --daemons FILE also switches FRR's
 * daemons on or off in its daemons file (bgpd, and bfdd with fleet.bfd) so
 * that FRR starts exactly what the configuration needs. A stratum1.conf with
 * problems yields a configuration that announces nothing.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFileAtomically } from "../../config/atomicFile.js";
import { frrConf, frrDaemons } from "../../fleet/frrConf.js";
import { EXIT } from "../exitCodes.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs, readConfig } from "./configFile.js";

const usage = `usage: stratum1ctl frr-config [--config FILE] [--out FILE] [--daemons FILE]
Prints FRR's configuration generated from stratum1.conf's fleet.* keys (default $STRATUM1_CONFIG,
else ${DEFAULT_CONFIG_PATH}), or writes it to FILE atomically; --daemons FILE sets bgpd and bfdd
on or off in FRR's daemons file (/etc/frr/daemons). Exit 1 when stratum1.conf has problems
(listed on stderr; the configuration then announces nothing).`;

/** FRR's daemons file with bgpd= and bfdd= set; every other line as it was. */
export function setDaemons(text: string, want: { bgpd: boolean; bfdd: boolean }): string {
  let out = text;
  for (const [name, on] of Object.entries(want)) {
    const line = `${name}=${on ? "yes" : "no"}`;
    const re = new RegExp(`^${name}=.*$`, "m");
    out = re.test(out) ? out.replace(re, line) : `${out.replace(/\n?$/, "\n")}${line}\n`;
  }
  return out;
}

function write(path: string, text: string, io: CtlIo): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true });
    replaceFileAtomically(path, text, 0o640);
    return true;
  } catch (err) {
    io.err(`stratum1ctl frr-config: cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
    return false;
  }
}

export const frrConfigCommand: CtlCommand = {
  name: "frr-config",
  summary: "print (or --out FILE) the FRR configuration generated from stratum1.conf's fleet.* keys",
  usage,
  async run(args, io) {
    const parsed = parseCtlArgs(args, { config: { type: "string" }, out: { type: "string" }, daemons: { type: "string" } }, usage, io);
    if (!parsed) return EXIT.usage;
    if (parsed.positionals.length > 0) {
      io.err(`stratum1ctl frr-config: unexpected '${parsed.positionals[0]}'\n${usage}\n`);
      return EXIT.usage;
    }
    const path = configPath(parsed.values.config, io.env);
    const { config, problems } = readConfig(path);
    for (const p of problems) io.err(`stratum1ctl frr-config: ${p}\n`);
    const text = frrConf(config, path);
    const { out, daemons } = parsed.values;
    if (out === undefined) io.out(text);
    else if (!write(out, text, io)) return EXIT.failed;
    if (daemons !== undefined) {
      let current = "";
      try {
        current = readFileSync(daemons, "utf8");
      } catch {
        // A missing daemons file is written fresh: FRR reads only the lines it knows.
      }
      if (!write(daemons, setDaemons(current, frrDaemons(config)), io)) return EXIT.failed;
    }
    return problems.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
