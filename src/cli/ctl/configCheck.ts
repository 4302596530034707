/*
 * `stratum1ctl config check`: the whole of stratum1.conf judged at once,
 * as stratum1d would (every problem with its line, key and fix), and the
 * chrony configuration generated from it put through `chronyd -p`, chrony's
 * own parser, when chronyd is installed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chronyConf } from "../../chrony/chronyConf.js";
import type { CtlIo } from "./command.js";
import { readConfig } from "./configFile.js";
import { findChronyd, installedChronyFeatures } from "./installedChronyd.js";

/** chronyd's verdict on the text: null when it parses, else chronyd's own words. */
function chronydParse(chronyd: string, text: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-check-"));
  try {
    const file = join(dir, "chrony.conf");
    writeFileSync(file, text);
    const r = spawnSync(chronyd, ["-p", "-f", file], { encoding: "utf8", timeout: 10_000 });
    if (r.error) return `cannot run ${chronyd} (${r.error.message})`;
    return r.status === 0 ? null : (r.stderr || r.stdout).trim().replaceAll(file, "chrony.conf") || `exit ${r.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function checkConfig(path: string, io: CtlIo): number {
  const { config, problems } = readConfig(path);
  if (problems.length === 0) io.out(`${path}: ok\n`);
  else io.out(`${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${p}\n`).join("")}`);
  const chronyd = findChronyd(io.env);
  if (chronyd === null) {
    io.out("chrony.conf generated from it: not parsed (chronyd is not installed here)\n");
    return problems.length === 0 ? 0 : 1;
  }
  const verdict = chronydParse(chronyd, chronyConf(config, undefined, path, installedChronyFeatures(io.env)));
  io.out(verdict === null ? "chrony.conf generated from it: ok (chronyd -p)\n" : `chrony.conf generated from it: chronyd -p refuses it: ${verdict}\n`);
  return problems.length === 0 && verdict === null ? 0 : 1;
}
