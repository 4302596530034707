/*
 * The units as systemd's own tools read them, in a root shaped like the
 * image's (/usr/bin/node, /opt/stratum1, chrony installed): systemd-analyze
 * verify (any output is a failure: its exit code ignores warnings), the
 * security exposure, the sysusers and tmpfiles entries applied to that root,
 * and the chrony drop-in's socket script run against real sockets.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { native } from "../../src/hal/linux/native.js";

const SYSTEMD_DIR = new URL("../../../systemd/", import.meta.url).pathname;

function imageLikeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "stratum1-units-"));
  cpSync("/lib/systemd/system", join(root, "lib/systemd/system"), { recursive: true });
  const stub = (path: string): void => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), "#!/bin/sh\n");
    chmodSync(join(root, path), 0o755);
  };
  stub("usr/bin/node");
  stub("usr/sbin/chronyd");
  stub("lib/systemd/systemd-journal-upload");
  stub("usr/bin/systemctl");
  cpSync(join(SYSTEMD_DIR, "chrony-sock-perms"), join(root, "opt/stratum1/systemd/chrony-sock-perms"));
  cpSync(join(SYSTEMD_DIR, "stratum1d.service"), join(root, "etc/systemd/system/stratum1d.service"));
  cpSync(join(SYSTEMD_DIR, "chrony.service.d/stratum1.conf"), join(root, "etc/systemd/system/chrony.service.d/stratum1.conf"));
  cpSync(join(SYSTEMD_DIR, "systemd-journal-upload.service.d/stratum1.conf"), join(root, "etc/systemd/system/systemd-journal-upload.service.d/stratum1.conf"));
  cpSync(join(SYSTEMD_DIR, "stratum1-log-forwarding.service"), join(root, "etc/systemd/system/stratum1-log-forwarding.service"));
  if (!statSync(join(root, "lib/systemd/system/chrony.service"), { throwIfNoEntry: false })) {
    writeFileSync(join(root, "lib/systemd/system/chrony.service"), "[Service]\nType=forking\nExecStart=/usr/sbin/chronyd\n");
  }
  if (!statSync(join(root, "lib/systemd/system/systemd-journal-upload.service"), { throwIfNoEntry: false })) {
    writeFileSync(join(root, "lib/systemd/system/systemd-journal-upload.service"), "[Service]\nDynamicUser=yes\nExecStart=/lib/systemd/systemd-journal-upload --save-state\nRestart=on-failure\n");
  }
  return root;
}

test("stratum1d.service, chrony's and the journal uploader's drop-ins, stratum1-log-forwarding.service pass systemd-analyze verify without a word", () => {
  const root = imageLikeRoot();
  try {
    const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, "stratum1d.service", "chrony.service", "systemd-journal-upload.service", "stratum1-log-forwarding.service"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    // The restart back-off keys came with systemd 254; the image's (trixie, 257) knows them and its own verify, in the image test, says nothing.
    const hostVersion = Number(/systemd (\d+)/.exec(spawnSync("systemctl", ["--version"], { encoding: "utf8" }).stdout)?.[1] ?? "0");
    const newer = hostVersion < 254 ? /Unknown key '(RestartSteps|RestartMaxDelaySec)' in section \[Service\], ignoring\./ : /^$/;
    const said = (r.stdout + r.stderr).split("\n").filter((l) => l.trim() !== "" && !newer.test(l));
    assert.deepEqual(said, [], "no warnings either");
    const unit = readFileSync(join(SYSTEMD_DIR, "stratum1d.service"), "utf8");
    for (const line of [
      "Type=notify",
      "WatchdogSec=15",
      "User=stratum1",
      "ProtectSystem=strict",
      "After=chrony.service",
      "Wants=chrony.service",
      "Restart=always",
      "StartLimitIntervalSec=0",
      "RestartSteps=10",
      "RestartMaxDelaySec=5min",
      "ExecStopPost=-/usr/bin/node /opt/stratum1/dist/src/cli/panelNotice.js",
      // Loopback only, and metrics.allow's networks when metrics.listen is set (added at each start).
      "IPAddressAllow=localhost",
      "IPAddressDeny=any",
      "ExecStartPre=-+/usr/bin/node /opt/stratum1/dist/src/cli/stratum1ctl.js metrics-access --apply",
    ]) {
      assert.ok(unit.split("\n").includes(line), `the unit has ${line}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("chrony's drop-in: chronyd runs from the file its start step generates from stratum1.conf, and that step works as written", () => {
  const dropIn = readFileSync(join(SYSTEMD_DIR, "chrony.service.d/stratum1.conf"), "utf8");
  const pre = /^ExecStartPre=-!(\S+) (.*)$/m.exec(dropIn);
  const start = /^ExecStart=!\/usr\/sbin\/chronyd -f (\S+) \$DAEMON_OPTS$/m.exec(dropIn);
  assert.ok(pre && start, dropIn);
  assert.match(dropIn, /^ExecStart=$/m, "Debian's ExecStart is replaced, not added to");
  const args = pre[2]!.split(" ");
  const out = args[args.indexOf("--out") + 1];
  assert.equal(out, start[1], "chronyd reads the file the start step writes");
  assert.equal(pre[1], "/usr/bin/node");
  // The same command, with this checkout for /opt/stratum1 and a temporary file for /run: --jitless
  // as under chrony's MemoryDenyWriteExecute, the shipped example config for stratum1.conf.
  const dir = mkdtempSync(join(tmpdir(), "stratum1-dropin-"));
  try {
    const repo = new URL("../../../", import.meta.url).pathname;
    const generated = join(dir, "chrony.conf");
    const argv = args.map((a) => (a === out ? generated : a.replace("/opt/stratum1/", repo)));
    const r = spawnSync(process.execPath, argv, { env: { ...process.env, STRATUM1_CONFIG: join(SYSTEMD_DIR, "stratum1.conf") }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const parsed = spawnSync("chronyd", ["-p", "-f", generated], { encoding: "utf8" });
    assert.equal(parsed.status, 0, parsed.stderr);
    assert.match(parsed.stdout, /^refclock SOCK \/run\/chrony\/stratum1-pps\.sock refid PPS/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the journal uploader's drop-in: its start condition writes the configuration from stratum1.conf's log.remote, and skips the uploader while it is off", () => {
  const dropIn = readFileSync(join(SYSTEMD_DIR, "systemd-journal-upload.service.d/stratum1.conf"), "utf8");
  const cond = /^ExecCondition=\+(\S+) (.*)$/m.exec(dropIn);
  assert.ok(cond, dropIn);
  assert.equal(cond[1], "/usr/bin/node");
  assert.match(dropIn, /^StartLimitIntervalSec=0$/m, "a log host down for hours is never given up on");
  const args = cond[2]!.split(" ");
  const out = args[args.indexOf("--out") + 1]!;
  assert.equal(out, "/run/systemd/journal-upload.conf.d/stratum1.conf", "where systemd-journal-upload looks for drop-ins");
  const dir = mkdtempSync(join(tmpdir(), "stratum1-upload-"));
  try {
    const repo = new URL("../../../", import.meta.url).pathname;
    const generated = join(dir, "journal-upload.conf.d/stratum1.conf");
    const conf = join(dir, "stratum1.conf");
    const argv = args.map((a) => (a === out ? generated : a.replace("/opt/stratum1/", repo)));
    const step = () => spawnSync(process.execPath, argv, { env: { ...process.env, STRATUM1_CONFIG: conf }, encoding: "utf8" });
    writeFileSync(conf, readFileSync(join(SYSTEMD_DIR, "stratum1.conf"), "utf8"));
    const off = step();
    assert.equal(off.status, 1, "exit 1: systemd skips the unit, it does not fail it");
    assert.equal(statSync(generated, { throwIfNoEntry: false }), undefined);
    writeFileSync(conf, `${readFileSync(join(SYSTEMD_DIR, "stratum1.conf"), "utf8")}log.remote = http://192.168.10.2\n`);
    const on = step();
    assert.equal(on.status, 0, on.stderr);
    assert.match(readFileSync(generated, "utf8"), /^URL=http:\/\/192\.168\.10\.2:19532$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("systemd-analyze security rates the unit's exposure at most 2.5", () => {
  const out = execFileSync("systemd-analyze", ["security", "--offline=true", join(SYSTEMD_DIR, "stratum1d.service")], { encoding: "utf8" });
  const level = Number(/Overall exposure level for stratum1d\.service: ([\d.]+)/.exec(out)?.[1]);
  assert.ok(level <= 2.5, `exposure ${level}`);
});

test("sysusers creates the service user in its groups, and tmpfiles its runtime directory, in an image's root", () => {
  const root = imageLikeRoot();
  try {
    mkdirSync(join(root, "etc"), { recursive: true });
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    writeFileSync(join(root, "etc/group"), "root:x:0:\ndialout:x:20:\n_chrony:x:105:\n");
    execFileSync("systemd-sysusers", [`--root=${root}`, join(SYSTEMD_DIR, "stratum1.sysusers")], { stdio: "pipe" });
    const passwd = readFileSync(join(root, "etc/passwd"), "utf8");
    const group = readFileSync(join(root, "etc/group"), "utf8");
    const uid = Number(/^stratum1:x:(\d+):/m.exec(passwd)?.[1]);
    assert.ok(uid > 0 && uid < 1000, `a system user (uid ${uid})`);
    assert.match(passwd, /^stratum1:.*:\/usr\/sbin\/nologin$/m);
    for (const g of ["dialout", "_chrony", "i2c", "gpio"]) assert.match(group, new RegExp(`^${g}:x:\\d+:stratum1$`, "m"), `member of ${g}`);
    mkdirSync(join(root, "run"));
    execFileSync("systemd-tmpfiles", [`--root=${root}`, "--create", join(SYSTEMD_DIR, "stratum1.tmpfiles")], { stdio: "pipe" });
    const st = statSync(join(root, "run/stratum1"));
    assert.deepEqual({ uid: st.uid, mode: st.mode & 0o777, dir: st.isDirectory() }, { uid, mode: 0o755, dir: true });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("chrony's drop-in script makes the sockets chronyd created (root, 0755) writable by the service's group, and its directory 0770", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-chronyrun-"));
  chmodSync(dir, 0o750);
  const calls = native();
  const names = ["stratum1-nmea.sock", "stratum1-pps.sock", "chronyd.sock"];
  const fds = names.map((n) => calls.dgramBind(join(dir, n)));
  try {
    for (const n of names) chmodSync(join(dir, n), 0o755);
    const dialout = Number(execFileSync("getent", ["group", "dialout"], { encoding: "utf8" }).split(":")[2]);
    const r = spawnSync(join(SYSTEMD_DIR, "chrony-sock-perms"), [], { env: { ...process.env, STRATUM1_CHRONY_RUN: dir, STRATUM1_GROUP: "dialout" }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    for (const n of names) {
      const st = statSync(join(dir, n));
      assert.deepEqual({ gid: st.gid, mode: st.mode & 0o777 }, { gid: dialout, mode: 0o660 }, n);
    }
    assert.equal(statSync(dir).mode & 0o777, 0o770, "chronyc's client socket can be created beside the command socket (chronyd accepts 0770)");
    const none = spawnSync(join(SYSTEMD_DIR, "chrony-sock-perms"), [], { env: { ...process.env, STRATUM1_CHRONY_RUN: join(dir, "empty") }, encoding: "utf8" });
    assert.equal(none.status, 0, "never fails chrony's start");
    assert.match(none.stderr, /no .*stratum1-\*\.sock after 5 s: are the refclock SOCK lines in chrony\.conf\?/);
  } finally {
    for (const fd of fds) calls.fdClose(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
