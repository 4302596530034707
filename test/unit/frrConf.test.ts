/*
 * FRR's configuration generated from stratum1.conf, judged by FRR itself:
 * `vtysh --dryrun` parses every variant with the command tree of every
 * daemon (and does fail on a bad line, checked here too). What an operator
 * reads in it: the three interfaces with their AS-path lengths, the
 * service addresses as the only routes out, nothing in, BFD as asked.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setDaemons } from "../../src/cli/ctl/frrConfig.js";
import { applySetting } from "../../src/config/load.js";
import { defaults } from "../../src/config/schema.js";
import { frrConf, frrDaemons } from "../../src/fleet/frrConf.js";
import { fleetProblems } from "../../src/fleet/gateSettings.js";
import { configWith } from "../support/config.js";

const PI = {
  "fleet.gate": "on",
  "fleet.asn": "64601",
  "fleet.router-id": "192.0.2.11",
  "fleet.peers": "2001:db8:a::1 as 64500, 192.0.2.1 as 64500",
  "fleet.own": "2001:db8:123::1, 203.0.113.1",
  "fleet.backup": "2001:db8:123::2, 2001:db8:123::3",
};

function vtyshDryRun(text: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-frr-"));
  try {
    writeFileSync(join(dir, "frr.conf"), text);
    const r = spawnSync("vtysh", ["--dryrun", "-f", join(dir, "frr.conf")], { encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a Pi's fleet config: FRR's parser takes it, and it says what the design says", () => {
  const text = frrConf(configWith(PI));
  const r = vtyshDryRun(text);
  assert.equal(r.status, 0, r.out);
  for (const line of [
    "router bgp 64601",
    " bgp router-id 192.0.2.11",
    " neighbor 2001:db8:a::1 remote-as 64500",
    " neighbor 192.0.2.1 timers 3 9",
    " neighbor 192.0.2.1 bfd profile fleet",
    " match interface fleet-own",
    " set as-path prepend 64601 64601",
    " set as-path prepend 64601 64601 64601 64601 64601 64601",
    "ipv6 prefix-list FLEET-SERVICE-V6 seq 15 permit 2001:db8:123::3/128",
    "ip prefix-list FLEET-SERVICE-V4 seq 5 permit 203.0.113.1/32",
    "  neighbor 2001:db8:a::1 route-map FLEET-OUT-V6 out",
    "  neighbor 192.0.2.1 route-map FLEET-IN in",
    "route-map FLEET-IN deny 10",
  ]) {
    assert.ok(text.split("\n").includes(line), `missing: ${line}`);
  }
  // The IPv6 router is not offered IPv4 routes and the reverse.
  assert.ok(!text.includes("  neighbor 2001:db8:a::1 route-map FLEET-OUT-V4"));
  assert.ok(!text.includes("  neighbor 192.0.2.1 route-map FLEET-OUT-V6"));
  assert.deepEqual(frrDaemons(configWith(PI)), { bgpd: true, bfdd: true });
});

test("BFD off and other timers: still valid, no bfd block, the timers as given", () => {
  const text = frrConf(configWith({ ...PI, "fleet.bfd": "off", "fleet.timers": "1 3" }));
  assert.equal(vtyshDryRun(text).status, 0);
  assert.ok(!/^bfd$/m.test(text) && !text.includes("bfd profile"));
  assert.ok(text.includes(" neighbor 2001:db8:a::1 timers 1 3"));
  assert.deepEqual(frrDaemons(configWith({ ...PI, "fleet.bfd": "off" })), { bgpd: true, bfdd: false });
});

test("the dry run does catch a bad line (so the checks above can fail)", () => {
  const text = frrConf(configWith(PI)).replace("set as-path prepend 64601 64601\n", "set as-path prepend 64601 sixty\n");
  assert.notEqual(vtyshDryRun(text).status, 0);
});

test("gate off, or fleet keys that cannot work: a valid configuration with no BGP at all, and the problems named", () => {
  const off = frrConf(defaults());
  assert.equal(vtyshDryRun(off).status, 0);
  assert.ok(!off.includes("router bgp"));
  const broken = configWith({ ...PI, "fleet.peers": "2001:db8:a::1 as 64500" });
  const problems = fleetProblems(broken);
  assert.deepEqual(problems, ["203.0.113.1 would never be announced: fleet.peers has no IPv4 router; add one, or drop the addresses"]);
  const text = frrConf(broken);
  assert.ok(!text.includes("router bgp"));
  assert.ok(text.includes("203.0.113.1 would never be announced"));
});

test("bad fleet.* lines are refused with their fix, before anything is generated", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["fleet.peers", "2001:db8:a::1", /is not 'ADDRESS as ASN'/],
    ["fleet.own", "2001:db8:123::/64", /one host, \/128/],
    ["fleet.own", "time.example.org", /not an IPv6 or IPv4 address/],
    ["fleet.router-id", "2001:db8::1", /IPv4 address/],
    ["fleet.timers", "3 5", /at least 3 and three times the keepalive/],
  ];
  for (const [key, value, fix] of cases) {
    const problems: string[] = [];
    applySetting(defaults(), key, value, "stratum1.conf:7", problems);
    assert.equal(problems.length, 1, key);
    assert.match(problems[0] ?? "", fix);
    assert.match(problems[0] ?? "", new RegExp(`^stratum1.conf:7: ${key.replace(".", "\\.")} = `));
  }
});

test("service addresses are kept as the kernel prints them, so the gate compares them as text", () => {
  const cfg = configWith({ "fleet.own": "2001:DB8:0123:0000:0000:0000:0000:0001, 2001:db8:0:0:1:0:0:1" });
  assert.equal(cfg["fleet.own"], "2001:db8:123::1,2001:db8::1:0:0:1");
});

test("FRR's daemons file: bgpd and bfdd switched as needed, every other line kept", () => {
  const before = "# comment\nbgpd=no\nospfd=no\nbfdd=no\nvtysh_enable=yes\n";
  assert.equal(setDaemons(before, { bgpd: true, bfdd: true }), "# comment\nbgpd=yes\nospfd=no\nbfdd=yes\nvtysh_enable=yes\n");
  assert.equal(setDaemons("", { bgpd: true, bfdd: false }), "\nbgpd=yes\nbfdd=no\n");
});
