/*
 * stratum1ctl's config commands run in-process on real files, read as an
 * operator at the terminal would read them; `config check` and the
 * generated chrony.conf go through the real chronyd -p.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { CtlIo } from "../../src/cli/ctl/command.js";
import { runCtl } from "../../src/cli/ctl/run.js";

const EXAMPLE = new URL("../../../systemd/stratum1.conf", import.meta.url).pathname;

async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CtlIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, env: { PATH: process.env.PATH } };
  const code = await runCtl(argv, io);
  return { code, out, err };
}

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-ctl-"));
  const file = join(dir, "stratum1.conf");
  writeFileSync(file, text);
  return file;
}

test("config check: the shipped config is fine, and chronyd -p accepts the chrony.conf made from it", async () => {
  const r = await ctl("config", "check", "--config", EXAMPLE);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, `${EXAMPLE}: ok\nchrony.conf generated from it: ok (chronyd -p)\n`);
});

test("config check: every problem at once, each with line, key and fix, and the combinations chrony cannot take", async () => {
  const file = tempConfig(["serial.buad = 9600", "serial.baud = 9601", "pps.sock = off", "chrony.sock = off", "nts.key = /data/nts/key.pem"].join("\n"));
  const r = await ctl("config", "check", "--config", file);
  assert.equal(r.code, 1);
  const lines = r.out.split("\n");
  assert.equal(lines[0], `${file}: 4 problems:`);
  assert.match(lines[1]!, /:1: unknown key 'serial\.buad'; did you mean 'serial\.baud'\?/);
  assert.match(lines[2]!, /:2: serial\.baud = '9601' is not valid: use auto or one of 4800, 9600/);
  assert.match(lines[3]!, /pps\.sock = off with pps\.sysfs set .* set chrony\.sock/);
  assert.match(lines[4]!, /NTS needs both nts\.cert and nts\.key \(nts\.cert is off\)/);
  assert.equal(lines[5], "chrony.conf generated from it: ok (chronyd -p)", "what chrony would get meanwhile still parses");
});

test("config check: a missing file is one problem naming it", async () => {
  const r = await ctl("config", "check", "--config", "/nonexistent/stratum1.conf");
  assert.equal(r.code, 1);
  assert.match(r.out, /cannot read config file \(ENOENT\)/);
});

test("config set: changes only the lines it must, keeps comments, says what changed and what to restart", async () => {
  const file = tempConfig(readFileSync(EXAMPLE, "utf8"));
  chmodSync(file, 0o640);
  const before = readFileSync(file, "utf8");
  const r = await ctl("config", "set", "--config", file, "serial.baud=38400", "time.floor=2026-12-01", "ntp.allow=192.168.1.0/24");
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      `${file}: changed`,
      "  serial.baud: 9600 -> 38400",
      "  time.floor: (not set: default 2026-11-01) -> 2026-12-01",
      "  ntp.allow: (not set: default all) -> 192.168.1.0/24",
      "to apply: sudo systemctl restart chrony stratum1d   (or run this again with --restart)",
      "",
    ].join("\n"),
  );
  const after = readFileSync(file, "utf8").split("\n");
  const old = before.split("\n");
  assert.equal(after.length, old.length + 2);
  assert.equal(after[old.indexOf("serial.baud = 9600")], "serial.baud = 38400");
  assert.equal(after[after.indexOf("# time.floor = 2026-11-01") + 1], "time.floor = 2026-12-01", "under its commented example");
  assert.equal(after[after.indexOf("# ntp.allow = all") + 1], "ntp.allow = 192.168.1.0/24", "under its commented example");
  assert.deepEqual(
    after.filter((l) => l.startsWith("#")),
    old.filter((l) => l.startsWith("#")),
    "every comment kept",
  );
  assert.equal(statSync(file).mode & 0o777, 0o640, "the file's mode kept");
  assert.deepEqual(readdirSync(join(file, "..")), ["stratum1.conf"], "no temporary file left");
  const check = await ctl("config", "check", "--config", file);
  assert.equal(check.code, 0, check.out);
  const ntpOnly = await ctl("config", "set", "--config", file, "ntp.ratelimit=off");
  assert.match(ntpOnly.out, /to apply: sudo systemctl restart chrony /);
  const same = await ctl("config", "set", "--config", file, "serial.baud=38400");
  assert.equal(same.out, `${file}: already so; nothing changed\n`);
});

test("config set: a bad value, an unknown key or a resulting file with problems writes nothing and says why", async () => {
  const file = tempConfig("# mine\nserial.baud = 9600  # the M8\n");
  const before = readFileSync(file, "utf8");
  const bad = await ctl("config", "set", "--config", file, "serial.baud=9601", "lcd.pgae=5", "serial.path=/dev/ttyAMA0\nallow all");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /nothing written/);
  assert.match(bad.err, /'serial\.baud=9601': serial\.baud = '9601' is not valid: use auto or one of/);
  assert.match(bad.err, /unknown key 'lcd\.pgae'; did you mean 'lcd\.page'\?/);
  assert.match(bad.err, /a value is one line without control characters/);
  const combo = await ctl("config", "set", "--config", file, "nts.cert=/data/nts/cert.pem");
  assert.equal(combo.code, 1);
  assert.match(combo.err, /the file would have this problem:\n.*NTS needs both nts\.cert and nts\.key/);
  assert.equal(readFileSync(file, "utf8"), before);
  const ok = await ctl("config", "set", "--config", file, "serial.baud=38400");
  assert.equal(ok.code, 0);
  assert.equal(readFileSync(file, "utf8"), "# mine\nserial.baud = 38400  # the M8\n", "the line's comment kept");
  assert.equal((await ctl("config", "set", "--config", file)).code, 1);
  assert.equal((await ctl("config", "frobnicate")).code, 64, "a usage error (EX_USAGE)");
});

test("chrony-config: prints the generated file; with a broken stratum1.conf still writes one chrony can run on, and exits 1", async () => {
  const file = tempConfig("pps.sock = off\n");
  const printed = await ctl("chrony-config", "--config", file);
  assert.equal(printed.code, 0);
  assert.match(printed.out, /^refclock PPS \/dev\/pps0 refid PPS lock NMEA poll 2 prefer$/m);
  const broken = tempConfig("serial.baud = 9600\nntp.allow = everyone\n");
  const out = join(broken, "..", "run", "chrony.conf");
  const r = await ctl("chrony-config", "--config", broken, "--out", out);
  assert.equal(r.code, 1);
  assert.match(r.err, /:2: ntp\.allow = 'everyone' is not valid/);
  assert.match(r.err, /chrony gets the defaults for the keys above/);
  assert.match(readFileSync(out, "utf8"), /^allow all$/m);
  assert.equal((await ctl("chrony-config", "--bogus")).code, 64, "a usage error (EX_USAGE)");
});
