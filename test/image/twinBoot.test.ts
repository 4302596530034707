/*
 * The amd64 twin booted by real systemd in systemd-nspawn, as the Pi boots:
 * read-only root, overlay-init as PID 1, a data partition and a boot
 * partition holding an SSH key and a stratum1.conf. Checked as an operator
 * and a client on the network would: stratum1d up and waiting for its GPS
 * (READY=1 reached), restarted by its watchdog when hung and by systemd when
 * killed; chronyd running from the config generated from stratum1.conf with
 * the SOCK sockets given to stratum1; SSH by key only; the firewall letting
 * in NTP, NTS-KE and SSH alone, and the metrics only when configured, only
 * from metrics.allow; the journal forwarded to a log host only when
 * log.remote says so; and what must persist surviving a reboot while
 * everything else is gone.
 *
 * What the CI adds to the root (through a host-side overlay, the image is
 * not changed): chronyd runs with -x and without its CAP_SYS_TIME condition,
 * since a container must not steer the host's clock; and a fixed address on
 * the container's end of the veth.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { BOX_ADDR, Container, HOST_ADDR, mountCiOverlay, ntpQuery, tcpOpens, unmount } from "../support/nspawn.js";
import { twin, REPO } from "../support/twin.js";

const work = mkdtempSync(join(tmpdir(), "stratum1-boot-"));
const data = join(work, "data");
const boot = join(work, "boot");
const key = join(work, "id_ed25519");
let root = "";
let box: Container;

const CI_FILES = {
  "etc/systemd/system/chrony.service.d/zz-ci.conf": "# CI only: a container may not have CAP_SYS_TIME; chronyd runs with -x (see /etc/default/chrony)\n[Unit]\nConditionCapability=\n",
  "etc/default/chrony": 'DAEMON_OPTS="-F 1 -x"\n',
  "etc/systemd/network/10-ci.network": `[Match]\nName=host0\n\n[Network]\nAddress=${BOX_ADDR}/30\n`,
  // The host's libfaketime, for stepping stratum1d's wall clock alone (a container must not step the host's).
  "usr/local/lib/stratum1-ci/libfaketime.so.1": readFileSync("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
};

const sshArgs = (...more: string[]): string[] => ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", ...more];
const ssh = (command: string): SpawnSyncReturns<string> => spawnSync("ssh", [...sshArgs("-i", key), `admin@${BOX_ADDR}`, command], { encoding: "utf8", timeout: 60_000 });

before(async () => {
  root = mountCiOverlay(join(twin("amd64"), "root"), join(work, "ci"), CI_FILES);
  execFileSync("mkdir", ["-p", boot]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  writeFileSync(join(boot, "authorized_keys"), readFileSync(`${key}.pub`));
  writeFileSync(join(boot, "stratum1.conf"), readFileSync(join(REPO, "systemd/stratum1.conf"), "utf8") + `# from the boot partition\nlcd.page = 7\nntp.servers = ${HOST_ADDR}\n`);
  const started = Date.now();
  box = await Container.boot({ root, data, boot, log: join(work, "console.log"), machine: "s1twin" });
  process.stderr.write(`# booted in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

after(async () => {
  await box?.poweroff();
  unmount(root);
  rmSync(work, { recursive: true, force: true });
});

test("the root is the RAM overlay over the read-only card, /data is the data partition", () => {
  assert.equal(box.sh("findmnt -n -o FSTYPE /").trim(), "overlay");
  assert.match(box.sh("findmnt -n -o OPTIONS /media/root-ro"), /(^|,)ro(,|$)/);
  assert.equal(box.sh("findmnt -n -o TARGET /data").trim(), "/data");
  assert.equal(box.sh("cat /etc/machine-id").trim(), readFileSync(join(data, "machine-id"), "utf8").trim(), "the machine id is the one kept on /data");
});

test("first boot: SSH key and stratum1.conf taken from the boot partition, host keys made on /data", () => {
  assert.equal(readFileSync(join(data, "ssh/authorized_keys/admin"), "utf8"), readFileSync(`${key}.pub`, "utf8"));
  for (const t of ["ed25519", "ecdsa", "rsa"]) assert.ok(existsSync(join(data, `ssh/ssh_host_${t}_key`)), t);
  assert.match(box.sh("cat /etc/stratum1/stratum1.conf"), /^lcd\.page = 7$/m);
  assert.equal(box.unit("stratum1-firstboot.service").ActiveState, "active");
});

test("stratum1d: READY=1 reached, running unprivileged, waiting for its GPS (there is none)", async () => {
  const u = await box.waitUnit("stratum1d.service", (x) => x.ActiveState === "active" && x.StatusText!.startsWith("waiting for GPS ("), 30);
  assert.equal(u.ActiveState, "active", box.sh("journalctl -b -u stratum1d --no-pager | tail -20"));
  assert.match(u.StatusText!, /^waiting for GPS \(\/dev\/serial0: /);
  assert.equal(u.User, "stratum1");
  assert.equal(box.sh(`stat -c %U /proc/${u.MainPID}`).trim(), "stratum1");
  // What it learns (state.dir, /var/lib/stratum1) is kept on the data partition, not in the RAM overlay.
  assert.equal(box.sh("stat -c %U /data/stratum1").trim(), "stratum1");
  assert.match(box.sh(`grep ' /var/lib/stratum1 ' /proc/${u.MainPID}/mountinfo`), / \/var\/lib\/stratum1 /, "bound from /data/stratum1");
});

test("chronyd runs from the config generated from stratum1.conf (the boot partition's, with its server); its SOCK sockets belong to group stratum1", async () => {
  const u = await box.waitUnit("chrony.service", (x) => x.ActiveState === "active", 30);
  assert.equal(u.ActiveState, "active", box.sh("journalctl -b -u chrony --no-pager | tail -20"));
  const cmdline = box.sh(`tr '\\0' ' ' </proc/${u.MainPID}/cmdline`);
  assert.match(cmdline, /^\/usr\/sbin\/chronyd -f \/run\/chrony\/chrony\.conf /);
  assert.equal(box.sh("cat /run/chrony/chrony.conf"), box.sh("stratum1ctl chrony-config"));
  // chrony's drift and NTS keys: /var/lib/chrony is the data partition's chrony/ in chronyd's view.
  assert.match(box.sh(`nsenter -t ${u.MainPID} -m findmnt -n -o SOURCE /var/lib/chrony`).trim(), /\/data\/chrony\]$/);
  for (const s of ["stratum1-nmea.sock", "stratum1-pps.sock", "chronyd.sock"]) assert.equal(box.sh(`stat -c '%G %a' /run/chrony/${s}`).trim(), "stratum1 660", s);
  const sources = box
    .sh("chronyc -c -n sources")
    .trim()
    .split("\n")
    .map((l) => l.split(","));
  assert.deepEqual(
    sources
      .filter((s) => s[0] === "#")
      .map((s) => s[2])
      .sort(),
    ["NMEA", "PPS"],
  );
  assert.deepEqual(
    sources.filter((s) => s[0] === "^").map((s) => s[2]),
    [HOST_ADDR],
    "the server named in stratum1.conf on the boot partition",
  );
});

test("SSH: key login as admin works from the network; a password is refused even when the user has one", () => {
  assert.match(box.sh("sshd -T"), /^passwordauthentication no$/m);
  assert.match(box.sh("sshd -T"), /^permitrootlogin no$/m);
  const viaKey = ssh("stratum1ctl config check");
  assert.equal(viaKey.status, 0, viaKey.stderr + viaKey.stdout);
  assert.match(viaKey.stdout, /^\/etc\/stratum1\/stratum1\.conf: ok$/m);
  assert.match(viaKey.stdout, /chrony\.conf generated from it: ok \(chronyd -p\)/);
  box.run(["chpasswd"], "admin:correct-horse\n");
  const viaPassword = spawnSync(
    "sshpass",
    ["-p", "correct-horse", "ssh", ...sshArgs("-o", "BatchMode=no", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"), `admin@${BOX_ADDR}`, "true"],
    { encoding: "utf8", timeout: 30_000 },
  );
  assert.notEqual(viaPassword.status, 0);
  assert.match(viaPassword.stderr, /Permission denied \(publickey\)/);
});

test("not in a fleet: the fleet gate and FRR are enabled but skipped by their conditions (inactive, not failed); no BGP daemon runs", () => {
  for (const u of ["stratum1-fleet.service", "frr.service"]) {
    const x = box.unit(u);
    assert.equal(x.ActiveState, "inactive", `${u}: ${JSON.stringify(x)}\n${box.sh(`journalctl -b -u ${u} --no-pager | tail -5`)}`);
  }
  assert.equal(box.run(["pgrep", "-x", "bgpd"]).status, 1, "no bgpd");
});

test("firewall: only NTP, NTS-KE and SSH come in; another listening port stays dark", async () => {
  assert.equal(box.unit("nftables.service").ActiveState, "active", box.sh("journalctl -b -u nftables --no-pager | tail -5"));
  const ruleset = box.sh("nft list ruleset");
  assert.match(ruleset, /chain input \{\n\s+type filter hook input priority filter; policy drop;/);
  const dports = [...new Set([...ruleset.matchAll(/(udp|tcp) dport (\d+)/g)].map((m) => `${m[2]}/${m[1]}`))].sort();
  assert.deepEqual(dports, ["123/udp", "179/tcp", "22/tcp", "4460/tcp", "68/udp"]);
  // BGP only from the fleet's routers, a set that stays empty on a box outside a fleet.
  for (const m of ruleset.matchAll(/^.*(?:dport 179|dport \{ 3784, 3785 \}).*$/gm)) assert.match(m[0], /saddr @fleet_peers_v[46] /, m[0]);
  assert.match(ruleset, /set fleet_peers_v4 \{\n\s+type ipv4_addr\n\s+\}/, "no fleet peers on a box outside a fleet");
  // SSH's new-connection limit is kept per source address (IPv4, IPv6 /64), not one budget for the internet.
  assert.match(ruleset, /tcp dport 22 ct state new update @ssh4 \{ ip saddr limit rate 10\/minute burst 20 packets \} accept/);
  assert.match(ruleset, /tcp dport 22 ct state new update @ssh6 \{ ip6 saddr & ffff:ffff:ffff:ffff:: limit rate 10\/minute burst 20 packets \} accept/);
  assert.doesNotMatch(ruleset, /tcp dport 22 ct state new limit rate/, "no budget shared by every source");
  assert.match(box.sh("sshd -T"), /^persourcemaxstartups 3$/m);
  const listener = box.inNetwork(["socat", "TCP-LISTEN:8080,fork,reuseaddr", "EXEC:/bin/true"]);
  try {
    await sleep(300);
    assert.equal(box.run(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]).status, 0, "listening, as seen from the box itself");
    assert.equal(await tcpOpens(22, 3000), true, "SSH reachable");
    assert.equal(await tcpOpens(8080, 3000), false, "a listening port the firewall does not name is dropped");
    const reply = await ntpQuery(3000);
    assert.equal(reply?.mode, 4, "chronyd answers NTP (mode 4, server) through the firewall");
  } finally {
    listener.kill();
  }
});

test("watchdog: a hung stratum1d (SIGSTOP) is killed and restarted; a killed one is restarted", async () => {
  const first = await box.waitUnit("stratum1d.service", (x) => x.ActiveState === "active", 20);
  box.sh(`kill -STOP ${first.MainPID}`);
  const t0 = Date.now();
  const second = await box.waitUnit("stratum1d.service", (x) => x.MainPID !== first.MainPID && x.MainPID !== "0" && x.ActiveState === "active", 45);
  const took = (Date.now() - t0) / 1000;
  assert.equal(second.NRestarts, String(Number(first.NRestarts) + 1), box.sh("journalctl -b -u stratum1d --no-pager | tail -20"));
  assert.ok(took >= 10 && took < 40, `restarted after ${took} s (WatchdogSec=15)`);
  assert.match(box.sh("journalctl -b -u stratum1d --no-pager"), /Watchdog timeout/);
  box.sh(`kill -KILL ${second.MainPID}`);
  const third = await box.waitUnit("stratum1d.service", (x) => x.MainPID !== second.MainPID && x.MainPID !== "0" && x.ActiveState === "active", 30);
  assert.equal(third.NRestarts, String(Number(second.NRestarts) + 1));
  assert.match((await box.waitUnit("stratum1d.service", (x) => x.StatusText !== "", 10)).StatusText!, /^waiting for GPS/);
});

test("a wall-clock step of an hour, forward then back, while stratum1d runs: its tick, status and watchdog go on, no restart", async () => {
  // libfaketime under the unit steps CLOCK_REALTIME for stratum1d alone; the monotonic clock stays true.
  const dropIn = "/run/systemd/system/stratum1d.service.d/zz-ci-clockstep.conf";
  box.sh(
    `echo +0 > /run/stratum1-faketime && mkdir -p ${dropIn.replace(/\/[^/]+$/, "")} && printf '[Service]\\nEnvironment=LD_PRELOAD=/usr/local/lib/stratum1-ci/libfaketime.so.1 FAKETIME_TIMESTAMP_FILE=/run/stratum1-faketime FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1\\n' > ${dropIn} && systemctl daemon-reload && systemctl restart stratum1d`,
  );
  try {
    const before = await box.waitUnit("stratum1d.service", (x) => x.ActiveState === "active" && x.StatusText !== "", 30);
    const updatedS = (): number => Date.parse((JSON.parse(box.sh("cat /run/stratum1/status.json")) as { updatedAt: string }).updatedAt) / 1000;
    await sleep(3000);
    for (const step of [
      { file: "+3600", offsetS: 3600, what: "an hour forward" },
      { file: "+0", offsetS: 0, what: "an hour back" },
    ]) {
      box.sh(`echo ${step.file} > /run/stratum1-faketime`);
      await sleep(20_000); // past WatchdogSec=15: a tick stalled by the step would have had the service killed
      const u = box.unit("stratum1d.service");
      assert.equal(u.MainPID, before.MainPID, `not restarted after a step ${step.what}: ${box.sh("journalctl -b -u stratum1d --no-pager | tail -5")}`);
      assert.equal(u.NRestarts, before.NRestarts);
      const a = updatedS();
      await sleep(2500);
      const b = updatedS();
      assert.ok(b - a >= 1 && b - a <= 4, `the status goes on being written every second after a step ${step.what} (${a} -> ${b})`);
      // Its time is the stepped wall clock: the true time plus the step in force.
      assert.ok(Math.abs(b - step.offsetS - Date.now() / 1000) < 30, `status time ${b} is the true time + ${step.offsetS} s`);
    }
  } finally {
    box.sh(`rm -f ${dropIn} /run/stratum1-faketime && systemctl daemon-reload && systemctl restart stratum1d`);
  }
});

test("config set over SSH with --restart; after a reboot the setting, keys and machine id are kept and everything else is gone", async () => {
  const before = box.unit("stratum1d.service");
  const set = ssh("sudo stratum1ctl config set lcd.page=5 --restart");
  assert.equal(set.status, 0, set.stderr);
  assert.match(set.stdout, /lcd\.page: 7 -> 5\nrestarted stratum1d\.service\n$/);
  assert.notEqual(box.unit("stratum1d.service").MainPID, before.MainPID);
  box.sh("echo scribble > /etc/scribble && echo scribble > /var/lib/scribble");
  const hostKey = execFileSync("ssh-keygen", ["-l", "-f", join(data, "ssh/ssh_host_ed25519_key.pub")], { encoding: "utf8" });
  const machineId = readFileSync(join(data, "machine-id"), "utf8");
  await box.poweroff();
  box = await Container.boot({ root, data, boot, log: join(work, "console2.log"), machine: "s1twin" });
  assert.match(box.sh("cat /etc/stratum1/stratum1.conf"), /^lcd\.page = 5$/m, "not undone by the boot partition's unchanged copy");
  assert.equal(box.run(["test", "-e", "/etc/scribble"]).status, 1);
  assert.equal(box.run(["test", "-e", "/var/lib/scribble"]).status, 1);
  assert.equal(execFileSync("ssh-keygen", ["-l", "-f", join(data, "ssh/ssh_host_ed25519_key.pub")], { encoding: "utf8" }), hostKey);
  assert.equal(box.sh("cat /etc/machine-id"), machineId);
  const scanned = spawnSync("ssh-keyscan", ["-t", "ed25519", BOX_ADDR], { encoding: "utf8", timeout: 20_000 });
  assert.ok(scanned.stdout.includes(readFileSync(join(data, "ssh/ssh_host_ed25519_key.pub"), "utf8").split(" ")[1]!), "sshd serves the key kept on /data");
  assert.equal((await box.waitUnit("stratum1d.service", (x) => x.ActiveState === "active", 30)).ActiveState, "active");
});
