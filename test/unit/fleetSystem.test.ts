/*
 * The fleet's pieces of the system as their own tools read them: the gate's
 * unit and FRR's drop-in through systemd-analyze verify, and the firewall
 * (the image's nftables.conf with the fleet sets filled by
 * `stratum1ctl fleet-firewall`) loaded by nft into a network namespace of
 * its own, where the sets then hold exactly the configured routers.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { applySetting } from "../../src/config/load.js";
import { defaults } from "../../src/config/schema.js";
import { fleetFirewall } from "../../src/fleet/fleetFirewall.js";

const REPO = new URL("../../../", import.meta.url).pathname;

test("stratum1-fleet.service and FRR's drop-in pass systemd-analyze verify; the gate's stop always flushes the fleet interfaces", () => {
  const root = mkdtempSync(join(tmpdir(), "stratum1-fleet-units-"));
  try {
    cpSync("/lib/systemd/system", join(root, "lib/systemd/system"), { recursive: true });
    for (const stub of ["usr/bin/node", "usr/sbin/ip", "usr/sbin/nft", "usr/lib/frr/frrinit.sh"]) {
      mkdirSync(join(root, stub, ".."), { recursive: true });
      writeFileSync(join(root, stub), "#!/bin/sh\n");
      chmodSync(join(root, stub), 0o755);
    }
    // Debian's frr.service as it orders itself: before network.target (an ordering cycle with the gate would show here).
    writeFileSync(
      join(root, "lib/systemd/system/frr.service"),
      "[Unit]\nWants=network.target\nAfter=network-pre.target systemd-sysctl.service\nBefore=network.target\n[Service]\nType=forking\nExecStart=/usr/lib/frr/frrinit.sh start\n",
    );
    cpSync(join(REPO, "systemd/stratum1-fleet.service"), join(root, "etc/systemd/system/stratum1-fleet.service"));
    cpSync(join(REPO, "systemd/frr.service.d/stratum1.conf"), join(root, "etc/systemd/system/frr.service.d/stratum1.conf"));
    for (const u of ["stratum1-nts-sync.service", "stratum1-nts-sync.timer"]) cpSync(join(REPO, "systemd", u), join(root, "etc/systemd/system", u));
    cpSync(join(REPO, "systemd/stratum1-nts-sync"), join(root, "opt/stratum1/systemd/stratum1-nts-sync"));
    const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, "stratum1-fleet.service", "frr.service", "stratum1-nts-sync.service", "stratum1-nts-sync.timer"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const hostVersion = Number(/systemd (\d+)/.exec(spawnSync("systemctl", ["--version"], { encoding: "utf8" }).stdout)?.[1] ?? "0");
    const newer = hostVersion < 254 ? /Unknown key '(RestartSteps|RestartMaxDelaySec)' in section \[Service\], ignoring\./ : /^$/;
    assert.deepEqual(
      (r.stdout + r.stderr).split("\n").filter((l) => l.trim() !== "" && !newer.test(l)),
      [],
      "no warnings either",
    );
    const unit = readFileSync(join(REPO, "systemd/stratum1-fleet.service"), "utf8").split("\n");
    for (const ifc of ["fleet-own", "fleet-backup", "fleet-degraded"]) assert.ok(unit.includes(`ExecStopPost=-/usr/sbin/ip address flush dev ${ifc} scope global`), ifc);
    assert.ok(unit.includes("CapabilityBoundingSet=CAP_NET_ADMIN") && unit.includes("User=stratum1"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A unit's ExecCondition lines, run as written (node and /opt/stratum1 being this machine's and this checkout's) against `conf`: true when systemd would start the unit. */
function conditionHolds(unitFile: string, conf: string): boolean {
  const lines = readFileSync(join(REPO, unitFile), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("ExecCondition="));
  assert.ok(lines.length > 0, `${unitFile} has an ExecCondition`);
  return lines.every((l) => {
    const argv = l
      .slice("ExecCondition=".length)
      .split(" ")
      .map((a) => a.replace("/opt/stratum1/", REPO));
    assert.equal(argv[0], "/usr/bin/node");
    const r = spawnSync(process.execPath, argv.slice(1), { env: { STRATUM1_CONFIG: conf }, encoding: "utf8" });
    // 1 to 254 skip the unit; 255 and signals would fail it, which a condition must not do here.
    assert.ok(r.status !== null && r.status < 255, `${l}: exit ${r.status} ${r.stderr}`);
    return r.status === 0;
  });
}

test("the gate, FRR and the NTS key sync run only on a box whose stratum1.conf puts it in a fleet: their conditions, run as written", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-fleet-cond-"));
  const conf = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const box = conf("box.conf", "# the appliance as shipped\nserial.baud = 9600\n");
  const fleet = conf("fleet.conf", "fleet.gate = on\nfleet.asn = 64601\nfleet.peers = 192.0.2.1 as 64500\nfleet.own = 2001:db8:123::1\n");
  const follower = conf("follower.conf", "fleet.gate = on\nfleet.nts-keys = follow\nfleet.nts-source = stratum1-nts@pi.example.net\n");
  const off = conf("off-again.conf", "fleet.gate = on\n# later in the file: the last line of a key wins, as everywhere\nfleet.gate = off\n");
  const missing = join(dir, "none.conf");
  for (const unit of ["systemd/stratum1-fleet.service", "systemd/frr.service.d/stratum1.conf"]) {
    assert.equal(conditionHolds(unit, box), false, `${unit}: not on a box outside a fleet`);
    assert.equal(conditionHolds(unit, fleet), true, `${unit}: on a fleet node`);
    assert.equal(conditionHolds(unit, off), false, `${unit}: fleet.gate set on, then off`);
    assert.equal(conditionHolds(unit, missing), false, `${unit}: no stratum1.conf`);
  }
  assert.equal(conditionHolds("systemd/stratum1-nts-sync.service", fleet), false, "the rotating node makes its own keys");
  assert.equal(conditionHolds("systemd/stratum1-nts-sync.service", follower), true);
  rmSync(dir, { recursive: true, force: true });
});

test("the firewall: BGP and BFD accepted from the configured routers only, as nft itself loads it", () => {
  const cfg = defaults();
  const problems: string[] = [];
  applySetting(cfg, "fleet.gate", "on", "t", problems);
  applySetting(cfg, "fleet.peers", "2001:db8:a::1 as 64500, 192.0.2.1 as 64500", "t", problems);
  assert.deepEqual(problems, []);
  const ns = `s1fw${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "stratum1-fw-"));
  execFileSync("ip", ["netns", "add", ns]);
  try {
    writeFileSync(join(dir, "fleet.nft"), fleetFirewall(cfg));
    execFileSync("ip", ["netns", "exec", ns, "nft", "-f", join(REPO, "image/overlay/etc/nftables.conf")]);
    execFileSync("ip", ["netns", "exec", ns, "nft", "-f", join(dir, "fleet.nft")]);
    const rules = JSON.parse(execFileSync("ip", ["netns", "exec", ns, "nft", "-j", "list", "ruleset"], { encoding: "utf8" })) as { nftables: Array<{ set?: { name: string; elem?: unknown[] } }> };
    const set = (name: string): unknown[] => rules.nftables.find((e) => e.set?.name === name)?.set?.elem ?? [];
    assert.deepEqual(set("fleet_peers_v6"), ["2001:db8:a::1"]);
    assert.deepEqual(set("fleet_peers_v4"), ["192.0.2.1"]);
    const text = execFileSync("ip", ["netns", "exec", ns, "nft", "list", "chain", "inet", "stratum1", "input"], { encoding: "utf8" });
    assert.match(text, /ip6 saddr @fleet_peers_v6 tcp dport 179 accept/);
    const bgp = text.split("\n").filter((l) => /dport (179|\{ 3784, 3785 \})/.test(l));
    assert.equal(bgp.length, 4);
    for (const l of bgp) assert.match(l, /saddr @fleet_peers_v[46]/, "no rule opens BGP or BFD to everyone");
    // Refilled, not added to: a router taken out of fleet.peers loses its way in.
    applySetting(cfg, "fleet.peers", "192.0.2.9 as 64500", "t", problems);
    writeFileSync(join(dir, "fleet.nft"), fleetFirewall(cfg));
    execFileSync("ip", ["netns", "exec", ns, "nft", "-f", join(dir, "fleet.nft")]);
    const after = JSON.parse(execFileSync("ip", ["netns", "exec", ns, "nft", "-j", "list", "set", "inet", "stratum1", "fleet_peers_v4"], { encoding: "utf8" })) as {
      nftables: Array<{ set?: { elem?: unknown[] } }>;
    };
    assert.deepEqual(after.nftables.find((e) => e.set)?.set?.elem, ["192.0.2.9"]);
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("NTS across the fleet: a following node's chrony never rotates its cookie keys (chronyd -p reads ntsrotate 0); the rotating node keeps chrony's default", async () => {
  const { chronyConf } = await import("../../src/chrony/chronyConf.js");
  const parsed = (keys: string): string[] => {
    const cfg = defaults();
    const problems: string[] = [];
    for (const [k, v] of Object.entries({ "nts.cert": "/etc/stratum1/fleet.crt", "nts.key": "/etc/stratum1/fleet.key", "fleet.nts-keys": keys })) applySetting(cfg, k, v, k, problems);
    assert.deepEqual(problems, []);
    const dir = mkdtempSync(join(tmpdir(), "stratum1-nts-"));
    try {
      writeFileSync(join(dir, "chrony.conf"), chronyConf(cfg));
      const r = spawnSync("chronyd", ["-p", "-f", join(dir, "chrony.conf")], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split("\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  assert.ok(parsed("follow").includes("ntsrotate 0"));
  assert.ok(!parsed("rotate").some((l) => l.startsWith("ntsrotate")));
  const problems: string[] = [];
  applySetting(defaults(), "fleet.nts-source", "pi.example.net", "stratum1.conf:9", problems);
  assert.match(problems[0] ?? "", /give USER@HOST/);
});
