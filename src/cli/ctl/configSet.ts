/*
 * `stratum1ctl config set KEY=VALUE...`: each value checked as the service
 * checks it, then the whole resulting file (nothing is written while any
 * problem remains), then the file replaced atomically with only those lines
 * changed. It says what changed and which services must restart to apply it,
 * or restarts them with --restart, in the order of config/keyReaders.ts
 * (chrony first: it creates the sockets stratum1d sends to; FRR last).
 */
import { execFile } from "node:child_process";
import { EXIT } from "../exitCodes.js";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { chronyConfProblems } from "../../chrony/chronyConf.js";
import { replaceFileAtomically } from "../../config/atomicFile.js";
import { servicesFor } from "../../config/keyReaders.js";
import { applySetting, parseConfigText } from "../../config/load.js";
import { setKeys, type Change } from "../../config/rewrite.js";
import { defaults, SCHEMA } from "../../config/schema.js";
import { fleetProblems } from "../../fleet/gateSettings.js";
import type { CtlIo } from "./command.js";

const run = promisify(execFile);

function parseSettings(args: readonly string[], problems: string[]): Array<[string, string]> {
  const settings: Array<[string, string]> = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      problems.push(`'${arg}': expected KEY=VALUE, e.g. serial.baud=38400`);
      continue;
    }
    const [key, value] = [arg.slice(0, eq).trim(), arg.slice(eq + 1).trim()];
    // The file holds one setting a line and '#' starts a comment: such a value could not be read back as given.
    if (/[\x00-\x1f\x7f]/.test(value) || /(^|\s)#/.test(value)) {
      problems.push(`'${arg}': a value is one line without control characters or ' #'; give it without them`);
      continue;
    }
    const before = problems.length;
    applySetting(defaults(), key, value, `'${arg}'`, problems);
    if (problems.length === before) settings.push([key, value]);
  }
  return settings;
}

function describe(c: Change): string {
  const def = (SCHEMA as Record<string, { default: unknown }>)[c.key]?.default;
  return `  ${c.key}: ${c.before ?? `(not set: default ${def ?? "off"})`} -> ${c.after}\n`;
}

export async function setConfig(path: string, args: readonly string[], restart: boolean, io: CtlIo): Promise<number> {
  const problems: string[] = [];
  const settings = parseSettings(args, problems);
  if (args.length === 0) problems.push("nothing to set: give KEY=VALUE (stratum1d --help-config lists the keys)");
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") problems.push(`${path}: cannot read (${code ?? (err as Error).message})${code === "EACCES" ? "; run it with sudo" : ""}`);
  }
  if (problems.length > 0) {
    io.err(`stratum1ctl config set: nothing written:\n${problems.map((p) => `  ${p}\n`).join("")}`);
    return EXIT.failed;
  }
  const next = setKeys(text, settings);
  const after = parseConfigText(next.text, path, defaults(), problems);
  // What `config check` would report: a fleet.gate = on without its AS number, say, would only make the gate refuse to start.
  problems.push(...[...chronyConfProblems(after), ...fleetProblems(after)].map((p) => `${path}: ${p}`));
  if (problems.length > 0) {
    io.err(`stratum1ctl config set: nothing written; the file would have ${problems.length === 1 ? "this problem" : "these problems"}:\n${problems.map((p) => `  ${p}\n`).join("")}`);
    return EXIT.failed;
  }
  const changed = next.changes.filter((c) => c.before !== c.after);
  if (changed.length === 0) {
    io.out(`${path}: already so; nothing changed\n`);
    return EXIT.ok;
  }
  try {
    replaceFileAtomically(path, next.text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.err(`stratum1ctl config set: cannot write ${path} (${code ?? (err as Error).message})${code === "EACCES" || code === "EPERM" ? "; run it with sudo" : ""}\n`);
    return EXIT.failed;
  }
  io.out(`${path}: changed\n${changed.map(describe).join("")}`);
  const services = servicesFor(changed.map((c) => c.key));
  if (services.length === 0) {
    io.out("nothing to restart: these keys are read when they are used (the next update, the next NTS key sync)\n");
    return EXIT.ok;
  }
  if (!restart) {
    io.out(`to apply: sudo systemctl restart ${services.map((s) => s.replace(/\.service$/, "")).join(" ")}   (or run this again with --restart)\n`);
    return EXIT.ok;
  }
  for (const s of services) {
    try {
      await run("systemctl", ["restart", s], { env: io.env, timeout: 60_000 });
      io.out(`restarted ${s}\n`);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      io.err(`stratum1ctl config set: systemctl restart ${s} failed: ${(e.stderr ?? e.message).trim()}\n`);
      return EXIT.failed;
    }
  }
  return EXIT.ok;
}
