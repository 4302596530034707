/*
 * The layers the design promises, checked on the sources' imports: the
 * product (src/) ships no fake and no test code; hal/ holds interfaces and
 * base types and imports nothing of the domain; only the entry points
 * (src/cli/, which builds the Linux hardware, and main.ts's callers) reach
 * the Linux adapters, so no domain module picks real hardware itself. Import
 * cycles are biome's (npm run lint).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(new URL("../../..", import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Each relative import of a file, as a repository path. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => relative(ROOT, resolve(ROOT, dirname(file), m[1]!.replace(/\.js$/, ".ts"))));
}

function offending(files: readonly string[], forbidden: (target: string, file: string) => boolean): string[] {
  return files.flatMap((f) =>
    imports(f)
      .filter((t) => forbidden(t, f))
      .map((t) => `${f} -> ${t}`),
  );
}

test("the product imports nothing from sim/ or test/: no fake ships in the image", () => {
  assert.deepEqual(
    offending(sources("src"), (t) => t.startsWith("sim/") || t.startsWith("test/")),
    [],
  );
});

test("hal/ is interfaces, base types and thin adapters: it imports nothing of the domain", () => {
  assert.deepEqual(
    offending(sources("src/hal"), (t) => !t.startsWith("src/hal/")),
    [],
  );
});

test("only the entry points reach the Linux adapters: no domain module chooses real hardware", () => {
  assert.deepEqual(
    offending(sources("src"), (t, f) => t.startsWith("src/hal/linux/") && !f.startsWith("src/hal/linux/") && !f.startsWith("src/cli/")),
    [],
  );
});

test("metrics are read from the status snapshot alone: src/metrics imports the contract, not the service's parts", () => {
  const allowed = new Set(["src/status/contract.ts", "src/hal/clock.ts", "src/log/logger.ts", "src/config/schema.ts", "src/gnss/sky.ts"]);
  assert.deepEqual(
    offending(sources("src/metrics"), (t) => !t.startsWith("src/metrics/") && !allowed.has(t)),
    [],
  );
});
