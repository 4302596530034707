/*
 * The config file: one "key = value" per line, '#' comments, keys as in
 * SCHEMA (see README or `stratum1d --help-config`). Every problem is collected
 * and reported together, each naming the line, the key and the fix, so an
 * operator fixes the file in one pass; the service then refuses to start
 * rather than run on half a configuration.
 */
import { readFileSync } from "node:fs";
import { defaults, SCHEMA, type Config, type ConfigKey } from "./schema.js";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  ${problems.join("\n  ")}`);
  }
}

const isKey = (k: string): k is ConfigKey => Object.hasOwn(SCHEMA, k);

function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of Object.keys(SCHEMA)) {
    const d = editDistance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** Applies one key=value, pushing a problem (with where) instead of throwing. */
export function applySetting(cfg: Config, key: string, raw: string, where: string, problems: string[]): void {
  if (!isKey(key)) {
    const hint = closest(key);
    problems.push(`${where}: unknown key '${key}'${hint ? `; did you mean '${hint}'?` : ""}`);
    return;
  }
  const result = SCHEMA[key].parse(raw.trim());
  if (!result.ok) {
    problems.push(`${where}: ${key} = '${raw}' is not valid: ${result.fix}`);
    return;
  }
  (cfg as Record<ConfigKey, unknown>)[key] = result.value;
}

export function parseConfigText(text: string, fileName: string, cfg: Config = defaults(), problems: string[] = []): Config {
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/(^|\s)#.*$/, "").trim();
    if (content === "") return;
    const eq = content.indexOf("=");
    if (eq < 0) {
      problems.push(`${fileName}:${i + 1}: '${content}' is not 'key = value'`);
      return;
    }
    applySetting(cfg, content.slice(0, eq).trim(), content.slice(eq + 1).trim(), `${fileName}:${i + 1}`, problems);
  });
  return cfg;
}

export function loadConfigFile(path: string, cfg: Config, problems: string[]): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    problems.push(`${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); fix the path given to --config`);
    return cfg;
  }
  return parseConfigText(text, path, cfg, problems);
}
