/*
 * The chrony configuration generated from stratum1.conf, judged by chrony
 * itself: `chronyd -p` parses each variant, and a real chronyd started from
 * the generated file (test-local paths, no NTP port) shows the refclocks and
 * the servers it was given.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { chronyConf, chronyConfProblems, holdoverPower } from "../../src/chrony/chronyConf.js";
import { CHRONY_BASELINE, chronyFeatures } from "../../src/chrony/chronyFeatures.js";
import { applySetting } from "../../src/config/load.js";
import { defaults } from "../../src/config/schema.js";
import { startBoxChronyd, writeBoxConfig } from "../../sim/run/box.js";
import { startChronyd } from "../../sim/run/chronyd.js";
import { freeUdpPort } from "../../sim/run/chronydProcess.js";
import { installedChronyFeatures } from "../../src/cli/ctl/installedChronyd.js";
import { configWith } from "../support/config.js";

/** The directives chronyd read, one a line, as `chronyd -p` prints them. */
function parsedByChronyd(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-chronyconf-"));
  try {
    writeFileSync(join(dir, "chrony.conf"), text);
    const r = spawnSync("chronyd", ["-p", "-f", join(dir, "chrony.conf")], { encoding: "utf8" });
    assert.equal(r.status, 0, `chronyd -p refused it: ${r.stderr}`);
    return r.stdout.trim().split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the default config: chronyd parses it, with the labelled pulse preferred, NMEA as a sanity check, four selectable servers, and serving locked down", () => {
  const directives = parsedByChronyd(chronyConf(configWith()));
  for (const line of [
    "refclock SOCK /run/chrony/stratum1-pps.sock refid PPS poll 2 precision 1e-7 prefer",
    "refclock SOCK /run/chrony/stratum1-nmea.sock refid NMEA poll 4 precision 1e-3 delay 0.2 noselect",
    "server 0.pool.ntp.org iburst maxpoll 8 maxsamples 4",
    "server 3.pool.ntp.org iburst maxpoll 8 maxsamples 4",
    "allow all",
    "ratelimit interval 1 burst 16 leak 2",
    "clientloglimit 16777216",
    "leapsectz right/UTC",
    "maxclockerror 5",
    "fallbackdrift 12 12",
    "makestep 1 3",
    "rtcsync",
    "driftfile /var/lib/chrony/chrony.drift",
    "cmdport 323",
    "bindcmdaddress 127.0.0.1",
    "bindcmdaddress ::1",
    "bindcmdaddress /run/chrony/chronyd.sock",
  ]) {
    assert.ok(directives.includes(line), `missing: ${line}\nin:\n${directives.join("\n")}`);
  }
  assert.equal(directives.filter((d) => /^server /.test(d) && !/noselect/.test(d)).length, 4, "four servers, selectable");
  assert.ok(!directives.some((d) => /^nts/.test(d)), "NTS only with a certificate");
});

test("every directive in the generated file follows a comment that says why", () => {
  const text = chronyConf(configWith({ "nts.cert": "/data/nts/cert.pem", "nts.key": "/data/nts/key.pem", "pps.sock": "off" }));
  const rows = text.split("\n");
  rows.forEach((row, i) => {
    if (row === "" || row.startsWith("#")) return;
    let j = i - 1;
    while (j >= 0 && rows[j] !== "" && !rows[j]!.startsWith("#")) j--;
    assert.ok(j >= 0 && rows[j]!.startsWith("# ") && rows[j]!.length > 20, `'${row}' has no explanation above it`);
  });
});

test("set-up B, NTS, a pool, client networks and no rate limit: each parsed by chronyd as meant", () => {
  const directives = parsedByChronyd(
    chronyConf(
      configWith({
        "pps.sock": "off",
        "pps.sysfs": "/sys/class/pps/pps1",
        "nts.cert": "/data/nts/cert.pem",
        "nts.key": "/data/nts/key.pem",
        "ntp.servers": "pool:2.debian.pool.ntp.org,ntp.example.net,192.0.2.1,2001:db8::1",
        "ntp.allow": "192.168.0.0/16,2001:db8::/32",
        "ntp.ratelimit": "off",
      }),
    ),
  );
  for (const line of [
    "refclock PPS /dev/pps1 refid PPS lock NMEA poll 2 prefer",
    "refclock SOCK /run/chrony/stratum1-nmea.sock refid NMEA poll 4 precision 1e-3 delay 0.2 noselect",
    "pool 2.debian.pool.ntp.org iburst maxsources 4 maxpoll 8 maxsamples 4",
    "server ntp.example.net iburst maxpoll 8 maxsamples 4",
    "server 192.0.2.1 iburst maxpoll 8 maxsamples 4",
    "server 2001:db8::1 iburst maxpoll 8 maxsamples 4",
    "allow 192.168.0.0/16",
    "allow 2001:db8::/32",
    "ntsservercert /data/nts/cert.pem",
    "ntsserverkey /data/nts/key.pem",
    "ntsdumpdir /var/lib/chrony",
    "ntsratelimit interval 6 burst 8 leak 2",
  ]) {
    assert.ok(directives.includes(line), `missing: ${line}\nin:\n${directives.join("\n")}`);
  }
  assert.ok(!directives.some((d) => /SOCK .*stratum1-pps/.test(d)), "no labelled-pulse refclock in set-up B");
  assert.ok(!directives.some((d) => /^ratelimit/.test(d)), "ratelimit off");
});

test("no pulse: NMEA is selectable; no network: no server lines; serving off: no allow", () => {
  const directives = parsedByChronyd(chronyConf(configWith({ "pps.sock": "off", "pps.sysfs": "off", "ntp.servers": "off", "ntp.allow": "off" })));
  assert.ok(directives.includes("refclock SOCK /run/chrony/stratum1-nmea.sock refid NMEA poll 4 precision 1e-3 delay 0.2"));
  assert.ok(!directives.some((d) => /^(server|pool|allow) /.test(d) || /refid PPS/.test(d)), directives.join("\n"));
});

test("combinations chrony cannot be given are named with their fix; single keys with blanks never reach chrony", () => {
  assert.deepEqual(chronyConfProblems(configWith()), []);
  const b = chronyConfProblems(configWith({ "pps.sock": "off", "chrony.sock": "off" }));
  assert.equal(b.length, 1);
  assert.match(b[0]!, /pps\.sock = off .* chrony\.sock = off sends none; set chrony\.sock/);
  assert.match(chronyConfProblems(configWith({ "nts.cert": "/data/c.pem" }))[0]!, /NTS needs both nts\.cert and nts\.key \(nts\.key is off\)/);
  assert.match(chronyConfProblems(configWith({ "pps.sock": "off", "pps.sysfs": "off", "chrony.sock": "off", "ntp.servers": "off" }))[0]!, /no source of time/);
  const problems: string[] = [];
  applySetting(defaults(), "chrony.sock", "/run/chrony/my sock", "x", problems);
  applySetting(defaults(), "ntp.servers", "a.example.org,b example", "y", problems);
  applySetting(defaults(), "ntp.allow", "10.0.0.0/33", "z", problems);
  assert.equal(problems.length, 3, problems.join("\n"));
  assert.match(problems[0]!, /without blanks/);
  assert.match(problems[1]!, /'b example' is not a host name or address/);
  assert.match(problems[2]!, /'10\.0\.0\.0\/33' is not an address or network/);
});

test("a real chronyd started from the generated file shows both refclocks and the server it was given", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-chronyrun-"));
  const stateDir = join(dir, "state");
  mkdirSync(stateDir);
  const cfg = configWith({ "chrony.sock": join(dir, "nmea.sock"), "pps.sock": join(dir, "pps.sock"), "chrony.control": join(dir, "chronyd.sock"), "ntp.servers": "127.0.0.1" });
  // Test-local paths for what the appliance keeps in /var/lib and /run; startChronyd appends 'port 0'
  // (no NTP port on this machine) and its own pid and log files.
  const chronyd = await startChronyd(dir, [chronyConf(cfg, { stateDir, confDir: join(dir, "chrony.d") })]);
  try {
    let sources = await chronyd.sources();
    for (let i = 0; i < 40 && sources.length < 3; i++) {
      await sleep(50);
      sources = await chronyd.sources();
    }
    const byName = new Map(sources.map((s) => [s.name, s]));
    assert.deepEqual([...byName.keys()].sort(), ["127.0.0.1", "NMEA", "PPS"], chronyd.output());
    assert.equal(byName.get("PPS")!.mode, "#");
    assert.equal(byName.get("NMEA")!.mode, "#");
    assert.equal(byName.get("127.0.0.1")!.mode, "^");
    assert.doesNotMatch(chronyd.output(), /Could not|invalid|unknown/i);
  } finally {
    await chronyd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chronyd's command port: on loopback for the monitoring figures (chrony.monitor), closed with it off; the unix socket always there for the operator's chronyc", () => {
  const on = parsedByChronyd(chronyConf(configWith({ "chrony.monitor": "[::1]:4323", "chrony.control": "off" })));
  for (const line of ["cmdport 4323", "bindcmdaddress 127.0.0.1", "bindcmdaddress ::1", "bindcmdaddress /run/chrony/chronyd.sock"]) assert.ok(on.includes(line), `missing: ${line}`);
  const off = parsedByChronyd(chronyConf(configWith({ "chrony.monitor": "off" })));
  assert.ok(off.includes("cmdport 0") && off.includes("bindcmdaddress /run/chrony/chronyd.sock"), off.join("\n"));
  assert.ok(!off.some((d) => d === "bindcmdaddress 127.0.0.1"));
  const problems: string[] = [];
  for (const bad of ["0.0.0.0:323", "192.0.2.1:323", "127.0.0.1", "127.0.0.1:70000"]) applySetting(defaults(), "chrony.monitor", bad, "test", problems);
  assert.equal(problems.length, 4, problems.join("\n"));
  assert.match(problems[0]!, /loopback only/);
});

test("a stratum1.conf from before chrony.control still works: chrony.command names the control socket", () => {
  const cfg = defaults();
  const problems: string[] = [];
  applySetting(cfg, "chrony.command", "/run/chrony/other.sock", "stratum1.conf:12", problems);
  assert.deepEqual(problems, []);
  assert.equal(cfg["chrony.control"], "/run/chrony/other.sock");
});

test("holdover.trust becomes chrony's fallbackdrift at the nearest power of two, said in the file; off leaves chrony holding over for ever", () => {
  assert.deepEqual(holdoverPower(configWith()), { exponent: 12, seconds: 4096 });
  assert.deepEqual(holdoverPower(configWith({ "holdover.trust": "600" })), { exponent: 9, seconds: 512 });
  assert.deepEqual(holdoverPower(configWith({ "holdover.trust": "86400" })), { exponent: 16, seconds: 65536 });
  const text = chronyConf(configWith({ "holdover.trust": "600" }));
  assert.match(text, /# holdover\.trust = 600 s, as chrony counts it: 2\^9 = 512 s\./);
  assert.ok(parsedByChronyd(text).includes("fallbackdrift 9 9"));
  const off = parsedByChronyd(chronyConf(configWith({ "holdover.trust": "off" })));
  assert.ok(!off.some((d) => d.startsWith("fallbackdrift")), off.join("\n"));
  assert.ok(off.includes("maxclockerror 5"), "the honest error bound either way");
  const problems: string[] = [];
  applySetting(defaults(), "holdover.trust", "10", "x", problems);
  assert.equal(problems.length, 1, "below chrony's shortest sensible fallback");
});

test("the file is written for the chronyd installed: chrony 4.6 gets leapseclist and kod, 4.3 (which refuses both) gets right/UTC", () => {
  assert.deepEqual(chronyFeatures("chronyd (chrony) version 4.3 (+CMDMON +NTP +REFCLOCK +RTC)"), { version: "4.3", leapseclist: false, ratelimitKod: false });
  assert.deepEqual(chronyFeatures("chronyd (chrony) version 4.6.1 (+CMDMON +NTP)"), { version: "4.6", leapseclist: true, ratelimitKod: true });
  assert.deepEqual(chronyFeatures("something else"), CHRONY_BASELINE);
  const installed = chronyFeatures(spawnSync("chronyd", ["--version"], { encoding: "utf8" }).stdout);
  assert.equal(installed.version, "4.3", "Debian 12's chronyd");
  const for43 = parsedByChronyd(chronyConf(configWith(), undefined, undefined, installed));
  assert.ok(for43.includes("leapsectz right/UTC") && !for43.some((d) => /leapseclist|kod/.test(d)), for43.join("\n"));
  const for46 = chronyConf(configWith(), undefined, undefined, chronyFeatures("chronyd (chrony) version 4.6"));
  assert.match(for46, /^leapseclist \/usr\/share\/zoneinfo\/leap-seconds\.list$/m);
  assert.match(for46, /^ratelimit interval 1 burst 16 leak 2 kod 2$/m);
  assert.doesNotMatch(for46, /^leapsectz/m);
  // Why it matters: this chronyd would not start on the 4.6 file.
  const dir = mkdtempSync(join(tmpdir(), "stratum1-chronyconf-"));
  try {
    writeFileSync(join(dir, "chrony.conf"), for46);
    const r = spawnSync("chronyd", ["-p", "-f", join(dir, "chrony.conf")], { encoding: "utf8" });
    assert.notEqual(r.status, 0, "chronyd 4.3 refuses leapseclist");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const noList = chronyConf(configWith({ "time.leap-list": "off" }), undefined, undefined, chronyFeatures("chronyd (chrony) version 4.6"));
  assert.match(noList, /^leapsectz right\/UTC$/m);
});

test("the simulated box's chronyd runs the generated file itself: only the NTP port, pid and log files are added, after it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-boxchrony-"));
  try {
    const box = await writeBoxConfig(dir, { "holdover.trust": "64" });
    const port = await freeUdpPort();
    const chronyd = await startBoxChronyd(box, { ntpPort: port });
    try {
      const text = readFileSync(chronyd.confPath, "utf8");
      const generated = chronyConf(box.cfg, { stateDir: join(dir, "chrony-state"), confDir: join(dir, "chrony.d") }, box.confPath, installedChronyFeatures(process.env));
      assert.ok(text.startsWith(generated), "the product's file, unchanged, first");
      const added = text
        .slice(generated.length)
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"));
      assert.deepEqual(added, [`port ${port}`, "bindaddress 127.0.0.1", `pidfile ${dir}/chronyd.pid`, `logdir ${dir}`, "log refclocks"]);
      for (const line of ["fallbackdrift 6 6", "maxclockerror 5", "ratelimit interval 1 burst 16 leak 2", "clientloglimit 16777216", "allow all", "leapsectz right/UTC"]) {
        assert.match(text, new RegExp(`^${line}$`, "m"));
      }
      assert.doesNotMatch(text, /^(server|pool) /m, "the simulated box is offline");
      assert.doesNotMatch(chronyd.output(), /Could not|invalid|unknown/i);
    } finally {
      await chronyd.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
