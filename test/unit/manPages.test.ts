/*
 * The man pages in man/ as a user reads them: each rendered by the real
 * man(1) (man-db) at 80 columns, with groff's warnings on, as lintian runs
 * it; then what the user would look for: the NAME line, the version and
 * date in the footer, every config key in stratum1.conf(5) with what it
 * accepts and its default, every stratum1ctl command and option in
 * stratum1ctl(8), every stratum1d flag in stratum1d(8). stratum1.conf(5)
 * is generated from the schema and committed: it must be what
 * `stratum1d --man-config` prints now.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CHRONY_KEYS } from "../../src/chrony/chronyConf.js";
import { COMMANDS } from "../../src/cli/ctl/commands.js";
import { servicesFor } from "../../src/config/keyReaders.js";
import { USAGE } from "../../src/config/args.js";
import { configManPage } from "../../src/config/manPage.js";
import { FIRMWARE_FLOOR_DATE, SCHEMA } from "../../src/config/schema.js";

const REPO = new URL("../../../", import.meta.url).pathname;
const MAN = join(REPO, "man");
const PAGES = { "stratum1d.8": "stratum1d", "stratum1ctl.8": "stratum1ctl", "stratum1.conf.5": "stratum1.conf" } as const;
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

// man-db as a user runs it, minus the terminal: no pager, no bold/underline left in the text.
const ENV: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C.UTF-8", MANWIDTH: "80", MANROFFSEQ: "" };
delete ENV.MAN_KEEP_FORMATTING;
delete ENV.MANOPT;

function man(args: readonly string[]): { stdout: string; stderr: string } {
  const r = spawnSync("man", args, { encoding: "utf8", env: ENV });
  if (r.error) throw new Error(`cannot run man (${r.error.message}): apt-get install man-db (.ci/setup installs it)`);
  assert.equal(r.status, 0, `man ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return { stdout: r.stdout.replace(/.\x08/g, ""), stderr: r.stderr };
}

const rendered = new Map<string, string>();
function render(page: keyof typeof PAGES): string {
  let text = rendered.get(page);
  if (text === undefined) {
    const r = man(["--warnings", "-l", join(MAN, page)]);
    assert.equal(r.stderr, "", `${page}: man --warnings says:\n${r.stderr}`);
    text = r.stdout;
    rendered.set(page, text);
  }
  return text;
}

/** The text of section NAME (an unindented heading) up to the next heading. */
function section(text: string, name: string): string {
  const m = new RegExp(`^${name}\\n((?:(?: .*)?\\n)*)`, "m").exec(text);
  assert.ok(m, `no section ${name}`);
  return m[1]!;
}

const flat = (s: string): string => s.replace(/\s+/g, " ").trim();

/** The options a usage text names: --long and -x, not the dashes inside words or a bare "--". */
const optionsIn = (usage: string): string[] => [...new Set([...usage.matchAll(/(?<![\w-])--?[a-z][a-z-]*/g)].map((m) => m[0]))];

for (const page of Object.keys(PAGES) as Array<keyof typeof PAGES>) {
  test(`${page}: no warning from groff, through man --warnings as lintian runs it and groff -ww, and no line past 80 columns`, () => {
    const lintian = man(["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", join(MAN, page)]);
    assert.equal(lintian.stderr, "", lintian.stderr);
    const groff = spawnSync("groff", ["-ww", "-z", "-man", "-Tutf8", join(MAN, page)], { encoding: "utf8", env: ENV });
    assert.equal(groff.status, 0, groff.stderr);
    assert.equal(groff.stderr, "", groff.stderr);
    const text = render(page);
    const long = text.split("\n").filter((l) => [...l].length > 80);
    assert.deepEqual(long, [], "lines wider than MANWIDTH=80");
  });

  test(`${page}: the NAME line, and the version and release date in the footer`, () => {
    const text = render(page);
    const name = PAGES[page];
    assert.match(flat(section(text, "NAME")), new RegExp(`^${name.replace(".", "\\.")} - \\S`), "NAME: 'name - what it is', as whatis(1) shows it");
    for (const heading of ["SYNOPSIS", "DESCRIPTION", "FILES", "SEE ALSO"]) section(text, heading);
    const footer = text.trimEnd().split("\n").at(-1)!;
    assert.match(footer, new RegExp(`^stratum1 ${VERSION.replaceAll(".", "\\.")}\\s+${FIRMWARE_FLOOR_DATE}\\s+${name.toUpperCase().replace(".", "\\.")}\\(${page.at(-1)}\\)$`), footer);
  });
}

test("stratum1.conf.5 is what the schema gives now (else: npm run man), and stratum1d --man-config prints it", () => {
  const committed = readFileSync(join(MAN, "stratum1.conf.5"), "utf8");
  const facts = { version: VERSION, date: FIRMWARE_FLOOR_DATE, chronyKeys: CHRONY_KEYS, restartsFor: (k: string) => servicesFor([k]).map((s) => s.replace(/\.service$/, "")) };
  assert.equal(committed, configManPage(SCHEMA, facts), "man/stratum1.conf.5 is out of date: run 'npm run man' and commit it");
  const printed = spawnSync(process.execPath, [join(REPO, "dist/src/cli/stratum1d.js"), "--man-config"], { encoding: "utf8", env: { ...process.env, STRATUM1_CONFIG: "" } });
  assert.equal(printed.status, 0, printed.stderr);
  assert.equal(printed.stdout, committed);
});

test("stratum1.conf(5): every key of the schema, with its doc, what it accepts, its default and what to restart", () => {
  const keys = section(render("stratum1.conf.5"), "KEYS");
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of keys.split("\n")) {
    const tag = /^ {7}(\S+)$/.exec(line);
    if (tag) entries.set((current = tag[1]!), "");
    else if (/^ {3}\S/.test(line))
      current = undefined; // a group heading
    else if (current) entries.set(current, `${entries.get(current)!} ${line}`);
  }
  assert.deepEqual([...entries.keys()].sort(), Object.keys(SCHEMA).sort(), "the keys of the page are the schema's");
  for (const [key, spec] of Object.entries(SCHEMA) as Array<[string, { doc: string; default: unknown; values?: string }]>) {
    const entry = flat(entries.get(key)!);
    assert.ok(entry.includes(flat(spec.doc)), `${key}: its doc\n${entry}`);
    assert.ok(spec.values, `${key}: the schema says what it accepts`);
    assert.ok(entry.includes(`Accepts: ${flat(spec.values)}.`), `${key}: what it accepts\n${entry}`);
    assert.ok(entry.includes(`Default: ${spec.default ?? "off"}`), `${key}: its default\n${entry}`);
    const restarts = servicesFor([key]).map((s) => s.replace(/\.service$/, ""));
    assert.ok(entry.includes(restarts.length > 0 ? `Applied by restarting: ${restarts.join(", then ")}.` : "Read when it is used: nothing to restart."), `${key}: what to restart\n${entry}`);
  }
  const chrony = flat(section(render("stratum1.conf.5"), "CHRONY"));
  for (const key of CHRONY_KEYS) assert.ok(chrony.includes(key), `CHRONY names ${key}`);
});

test("stratum1ctl(8): every command, in the synopsis and described, and every option of its usage", () => {
  const text = render("stratum1ctl.8");
  const synopsis = flat(section(text, "SYNOPSIS"));
  const commands = section(text, "COMMANDS");
  // A tag is the one line indented by 7 (its text by 14); a short tag shares its line with the text.
  const described = [...commands.matchAll(/^ {7}(\S+)/gm)].map((m) => m[1]!);
  for (const c of [...COMMANDS.map((c) => c.name), "help"]) {
    assert.ok(synopsis.includes(`stratum1ctl ${c}`), `SYNOPSIS has stratum1ctl ${c}`);
    assert.ok(described.includes(c), `COMMANDS describes ${c} (found: ${described.join(", ")})`);
  }
  for (const c of COMMANDS) {
    for (const option of optionsIn(c.usage)) assert.ok(new RegExp(`(?<![\\w-])${option}(?![\\w-])`).test(text), `stratum1ctl ${c.name}: its option ${option} is in the page`);
  }
  const exits = flat(section(text, "EXIT STATUS"));
  for (const code of ["0", "1", "2", "3"]) assert.match(exits, new RegExp(`(^| )${code} `), `status's exit ${code}`);
});

test("stratum1d(8): every flag of its usage, and exit status 78 for a bad configuration", () => {
  const text = render("stratum1d.8");
  const options = section(text, "OPTIONS");
  for (const flag of [...optionsIn(USAGE), "-h"]) {
    assert.ok(new RegExp(`^ {7}${flag}(?![\\w-])`, "m").test(options) || new RegExp(`^ {7}-h, ${flag}(?![\\w-])`, "m").test(options), `OPTIONS describes ${flag}`);
  }
  assert.match(flat(section(text, "EXIT STATUS")), /(^| )78 The configuration has problems/);
});
