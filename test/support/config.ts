/* A Config from stratum1.conf settings, as the loader applies them; a setting it refuses fails the test. */
import assert from "node:assert/strict";
import { applySetting } from "../../src/config/load.js";
import { defaults, type Config } from "../../src/config/schema.js";

export function configWith(settings: Record<string, string> = {}): Config {
  const cfg = defaults();
  const problems: string[] = [];
  for (const [k, v] of Object.entries(settings)) applySetting(cfg, k, v, k, problems);
  assert.deepEqual(problems, []);
  return cfg;
}
