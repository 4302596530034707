/*
 * The metrics port through the image's own firewall, in network namespaces
 * made for the test: the box (image/overlay/etc/nftables.conf loaded as
 * nftables.service loads it) and a client network joined by a veth pair.
 * `stratum1ctl metrics-access --apply`'s steps, run as stratum1d's start
 * runs them (nft for real, in the box's namespace; systemctl recorded),
 * open the port to metrics.allow's network and to no other source; a reload
 * of the firewall keeps that; metrics off closes it again. The unit's
 * IPAddressAllow is set to loopback plus the same networks.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { applyMetricsAccess, type Runner } from "../../src/cli/ctl/metricsAccess.js";
import type { CtlIo } from "../../src/cli/ctl/command.js";
import { metricsAccess } from "../../src/metrics/access.js";

const NFTABLES_CONF = new URL("../../../image/overlay/etc/nftables.conf", import.meta.url).pathname;
const BOX = "10.77.0.2";
const SCRAPER = "10.77.0.1";
/** A second address of the client side, outside metrics.allow. */
const STRANGER = "10.78.0.1";

const sh = (args: string[]): string => execFileSync(args[0]!, args.slice(1), { encoding: "utf8" });

test("the image's firewall opens the metrics port to metrics.allow alone, keeps it across a reload, and closes it with metrics off", { timeout: 60_000 }, async (t) => {
  if (process.getuid?.() !== 0) assert.fail("needs root: network namespaces and nftables");
  const tag = `s1m${process.pid % 100000}`;
  const [box, client] = [`${tag}b`, `${tag}c`];
  const dir = mkdtempSync(join(tmpdir(), "stratum1-fw-"));
  const fwDir = join(dir, "firewall");
  // The image's ruleset as it is, its include pointed at this test's directory instead of /run.
  const conf = join(dir, "nftables.conf");
  writeFileSync(conf, readFileSync(NFTABLES_CONF, "utf8").replace('include "/run/stratum1-firewall/*.nft"', `include "${fwDir}/*.nft"`));
  const inBox = (...args: string[]): string => sh(["ip", "netns", "exec", box, ...args]);
  const servers: Array<ReturnType<typeof spawn>> = [];
  try {
    sh(["ip", "netns", "add", box]);
    sh(["ip", "netns", "add", client]);
    sh(["ip", "link", "add", `${tag}x`, "netns", box, "type", "veth", "peer", "name", `${tag}y`, "netns", client]);
    inBox("ip", "addr", "add", `${BOX}/24`, "dev", `${tag}x`);
    inBox("ip", "link", "set", `${tag}x`, "up");
    inBox("ip", "link", "set", "lo", "up");
    inBox("ip", "route", "add", "10.78.0.0/24", "dev", `${tag}x`);
    sh(["ip", "netns", "exec", client, "ip", "addr", "add", `${SCRAPER}/24`, "dev", `${tag}y`]);
    sh(["ip", "netns", "exec", client, "ip", "addr", "add", `${STRANGER}/24`, "dev", `${tag}y`]);
    sh(["ip", "netns", "exec", client, "ip", "link", "set", `${tag}y`, "up"]);
    inBox("nft", "-f", conf);
    // stratum1d's listener stands in: something answers on 9817 whenever the firewall lets a connection through.
    const server = spawn("ip", ["netns", "exec", box, "socat", "TCP-LISTEN:9817,fork,reuseaddr", "SYSTEM:echo metrics"], { stdio: "ignore" });
    servers.push(server);
    await sleep(300);
    const reaches = (from: string): boolean =>
      spawnSync("ip", ["netns", "exec", client, "socat", "-u", `TCP:${BOX}:9817,bind=${from},connect-timeout=1`, "-"], { encoding: "utf8", timeout: 5000 }).stdout.includes("metrics");

    const systemctl: string[][] = [];
    const run: Runner = async (cmd, args) => {
      if (cmd === "systemctl") systemctl.push([...args]);
      else execFileSync("ip", ["netns", "exec", box, cmd, ...args], { stdio: "pipe" });
    };
    const out: string[] = [];
    const io: CtlIo = { out: (s) => out.push(s), err: (s) => out.push(`ERR ${s}`), isTty: false, env: {} };

    assert.equal(reaches(SCRAPER), false, "closed before stratum1d's first start");
    assert.equal(await applyMetricsAccess(metricsAccess(`${BOX}:9817`, "10.77.0.0/24"), "test", io, run, fwDir), 0, out.join(""));
    assert.equal(reaches(SCRAPER), true, "open to metrics.allow's network");
    assert.equal(reaches(STRANGER), false, "and to no other");
    assert.deepEqual(systemctl.at(-1), ["set-property", "--runtime", "stratum1d.service", "IPAddressAllow=", "IPAddressAllow=localhost 10.77.0.0/24"]);
    t.diagnostic(out.join(""));

    inBox("nft", "-f", conf);
    assert.equal(reaches(SCRAPER), true, "a reload of the firewall (nftables.service restarted) keeps it open");
    assert.match(inBox("nft", "list", "set", "inet", "stratum1", "metrics_v4"), /elements = \{ 10\.77\.0\.0\/24 \}/);

    assert.equal(await applyMetricsAccess(metricsAccess(null, "10.77.0.0/24"), "test", io, run, fwDir), 0);
    assert.equal(reaches(SCRAPER), false, "metrics off: closed again");
    assert.deepEqual(systemctl.at(-1), ["set-property", "--runtime", "stratum1d.service", "IPAddressAllow=", "IPAddressAllow=localhost"]);
    inBox("nft", "-f", conf);
    assert.equal(reaches(SCRAPER), false, "and still after a reload");
  } finally {
    for (const s of servers) s.kill();
    spawnSync("ip", ["netns", "del", box]);
    spawnSync("ip", ["netns", "del", client]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("what opens for which settings: nothing while off or on loopback; the networks of metrics.allow; everyone for 'all'", () => {
  assert.deepEqual(metricsAccess(null, "10.0.0.0/8"), { port: null, v4: [], v6: [], ipAddressAllow: ["localhost"] });
  assert.deepEqual(metricsAccess("127.0.0.1:9817", "10.0.0.0/8"), { port: null, v4: [], v6: [], ipAddressAllow: ["localhost"] }, "a loopback listener needs no hole");
  assert.deepEqual(metricsAccess("192.168.10.5:9817", null), { port: null, v4: [], v6: [], ipAddressAllow: ["localhost"] }, "metrics.allow none: loopback only");
  assert.deepEqual(metricsAccess("[::]:9817", "192.168.10.0/24,2001:db8::/64,10.0.0.9"), {
    port: 9817,
    v4: ["192.168.10.0/24", "10.0.0.9/32"],
    v6: ["2001:db8::/64"],
    ipAddressAllow: ["localhost", "192.168.10.0/24", "10.0.0.9/32", "2001:db8::/64"],
  });
  assert.deepEqual(metricsAccess("0.0.0.0:9817", "all"), { port: 9817, v4: ["0.0.0.0/0"], v6: ["::/0"], ipAddressAllow: ["any"] });
});
