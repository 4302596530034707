/*
 * `stratum1ctl status`, `pps`, `chrony` and `logs` run in-process as an
 * operator runs them, on snapshots built by the product's pipeline and pulse
 * associator (virtual-time PPS scenarios): what the screen says first, the
 * exit code monitoring reads, the stale snapshot of a stopped service.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseStamp } from "../../src/cli/ctl/ppsView.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import { ctl, snapshotOf, stillTalking, tmp, writeSnapshot } from "../support/ctl.js";
import { plainSeconds, runScenario } from "../support/ppsScenario.js";
import { chronyOnPps } from "../support/snapshot.js";

const T0 = Date.parse("2026-11-22T10:00:00Z") / 1000;
const SECONDS = 40;
/** The moment the scenario ends (it runs 1.2 s past its last second). */
const END_US = (T0 + SECONDS - 1) * 1e6 + 1.2e6;

/** The box locked on the pulse; `chronyOn` names the source chrony has selected. */
async function lockedBox(chronyOn = "PPS"): Promise<StatusSnapshot> {
  const r = await runScenario(plainSeconds(T0, SECONDS, 0.25), { hostErrorUs: 3 });
  const chrony = chronyOnPps(END_US);
  chrony.tracking!.refName = chronyOn;
  return snapshotOf(stillTalking(r.health, END_US), END_US, { pps: r.atEnd, chrony });
}

const verdictLine = (out: string): string => out.split("\n")[1]!;

test("status on a box locked to the pulse: the verdict first, exit 0, and the figures an operator checks", async () => {
  const path = writeSnapshot(tmp(), await lockedBox());
  const r = await ctl(["status", "--status", path], { nowUs: END_US + 600_000 });
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(verdictLine(r.out), "LOCKED PPS, serving stratum 1 (serving good time)");
  assert.match(r.out, /PPS +locked since .*receiver's words 250\.0 ms after the edge/);
  assert.match(r.out, /fix +3D, 8 used \/ 0 in view/);
  assert.match(r.out, /reference +PPS \(stratum 1\), leap normal/);
  assert.match(r.out, /offset +\+123ns last, rms 456ns/);
  assert.match(r.out, /NTP clients +317 in the last hour, 42\.5 requests\/s/);
  assert.match(r.out, /Alarms\n +none/);
  assert.match(r.out, /snapshot 0\.6 s old/);
  assert.match(r.out, /address +192\.0\.2\.10 \(eth0\)/);
  assert.equal(r.err, "");
});

test("status --json: the snapshot as written plus the verdict, for scripts", async () => {
  const snap = await lockedBox();
  const path = writeSnapshot(tmp(), snap);
  const r = await ctl(["status", "--json", "--status", path], { nowUs: END_US + 1_000_000 });
  const j = JSON.parse(r.out) as { verdict: { state: string; label: string; exitCode: number }; stale: boolean; snapshotAgeS: number; snapshot: StatusSnapshot };
  assert.equal(r.code, 0);
  assert.deepEqual([j.verdict.state, j.verdict.label, j.verdict.exitCode, j.stale, j.snapshotAgeS], ["serving", "LOCKED PPS", 0, false, 1]);
  assert.deepEqual(j.snapshot, JSON.parse(JSON.stringify(snap)));
});

test("status while chrony is still on NMEA: PPS SYNCING, degraded (exit 1)", async () => {
  const snap = await lockedBox("NMEA");
  const r = await ctl(["status", "--status", writeSnapshot(tmp(), snap)], { nowUs: END_US });
  assert.equal(r.code, 1);
  assert.match(verdictLine(r.out), /^PPS SYNCING, serving stratum 1: the pulse is labelled but chrony is on NMEA, not on it yet$/);
});

test("status after the fix is lost: NO FIX, the alarm with the first thing to check, exit 1", async () => {
  const secs = plainSeconds(T0, SECONDS, 0.25).map((s, i) => (i >= 30 && s.words ? { ...s, words: { ...s.words, valid: false } } : s));
  const r0 = await runScenario(secs);
  const snap = snapshotOf(stillTalking(r0.health, END_US), END_US, { pps: r0.atEnd, chrony: chronyOnPps(END_US) });
  const r = await ctl(["status", "--status", writeSnapshot(tmp(), snap)], { nowUs: END_US });
  assert.equal(r.code, 1);
  assert.match(verdictLine(r.out), /^NO FIX, serving stratum 1: NO FIX: the receiver has no fix/);
  assert.match(r.out, /! NO FIX — check: antenna\/sky view/);
  assert.match(r.out, /receiver +receiver-invalid: GPRMC says its time is not valid/);
});

test("a snapshot the service stopped rewriting: NOT RUNNING, said loudly, exit 2; a missing one too", async () => {
  const dir = tmp();
  const path = writeSnapshot(dir, await lockedBox());
  const r = await ctl(["status", "--status", path], { nowUs: END_US + 30e6 });
  assert.equal(r.code, 2);
  assert.match(verdictLine(r.out), /^NOT RUNNING: stratum1d is NOT RUNNING \(or hung\): .* was last written 30 s ago/);
  const j = JSON.parse((await ctl(["status", "--json", "--status", path], { nowUs: END_US + 30e6 })).out) as { verdict: { state: string }; stale: boolean };
  assert.deepEqual([j.verdict.state, j.stale], ["not-running", true]);
  for (const cmd of ["gps", "pps"]) {
    const v = await ctl([cmd, "--status", path], { nowUs: END_US + 30e6 });
    assert.equal(v.code, 2, cmd);
    assert.match(v.err, /stratum1d is NOT RUNNING/);
  }

  const gone = await ctl(["status", "--status", join(dir, "nothing.json")], { nowUs: END_US });
  assert.equal(gone.code, 2);
  assert.match(gone.out, /^NOT RUNNING: no status snapshot at .*nothing\.json: stratum1d is not running \(systemctl status stratum1d\)/);
  const goneJson = JSON.parse((await ctl(["status", "--json", "--status", join(dir, "nothing.json")], { nowUs: END_US })).out) as { verdict: { exitCode: number }; snapshot: null };
  assert.deepEqual([goneJson.verdict.exitCode, goneJson.snapshot], [2, null]);
});

test("colours only on a terminal, and never with NO_COLOR", async () => {
  const path = writeSnapshot(tmp(), await lockedBox());
  const esc = /\x1b\[/;
  assert.match((await ctl(["status", "--status", path], { nowUs: END_US, tty: true })).out, esc);
  assert.doesNotMatch((await ctl(["status", "--status", path], { nowUs: END_US, tty: true, env: { NO_COLOR: "1" } })).out, esc);
  assert.doesNotMatch((await ctl(["status", "--status", path], { nowUs: END_US })).out, esc);
  assert.doesNotMatch((await ctl(["gps", "--status", path], { nowUs: END_US })).out, esc);
});

test("the config file says where the snapshot is: --config, then STRATUM1_CONFIG; a bad file is reported, exit 3 (unknown to monitoring); a bad option is a usage error, not 'not running'", async () => {
  const dir = tmp();
  const path = writeSnapshot(dir, await lockedBox(), "elsewhere.json");
  const conf = join(dir, "stratum1.conf");
  writeFileSync(conf, `# test\nstatus.path = ${path}\n`);
  assert.equal((await ctl(["status", "--config", conf], { nowUs: END_US })).code, 0);
  assert.equal((await ctl(["status"], { nowUs: END_US, env: { STRATUM1_CONFIG: conf } })).code, 0);
  const bad = join(dir, "bad.conf");
  writeFileSync(bad, "status.pth = /x\nserial.baud = 9601\n");
  const r = await ctl(["status", "--config", bad], { nowUs: END_US });
  assert.equal(r.code, 3);
  assert.match(r.err, /bad\.conf:1: unknown key 'status\.pth'; did you mean 'status\.path'\?/);
  assert.match(r.err, /bad\.conf:2: serial\.baud = '9601' is not valid/);
  assert.equal((await ctl(["status", "--bogus"], { nowUs: END_US })).code, 64);
});

test("pps: state, delay, jitter, and the last 20 edges each with the second it was labelled with", async () => {
  const secs = plainSeconds(T0, SECONDS, 0.25).map((s, i) => (i === 33 ? { ...s, extraEdgesAt: [s.edgeAt! + 500_000] } : s));
  const run = await runScenario(secs, { hostErrorUs: 3 });
  const snap = snapshotOf(stillTalking(run.health, END_US), END_US, { pps: run.atEnd });
  const r = await ctl(["pps", "--status", writeSnapshot(tmp(), snap)], { nowUs: END_US });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /state +locked since/);
  assert.match(r.out, /delay +the receiver's words follow the edge by 250\.0 ms/);
  assert.match(r.out, /edges +41 seen, \d+ labelled, 0 by count, 0 missed, 1 spurious/);
  // Edges a whole second apart, stamped to the nanosecond: no interval jitter at all (the spurious one is not the pulse).
  assert.match(r.out, /jitter +0\.00 µs rms of the intervals between the last 19 edges on the grid/);
  const rows = r.out.split("\n").filter((l) => /^ {2}\d{4}-\d\d-\d\dT/.test(l));
  assert.equal(rows.length, 20);
  for (const row of rows) {
    const [at, , label, delay, outcome] = row.trim().split(/ {2,}/);
    const [sec, ns] = parseStamp(at!);
    if (ns === 3000) {
      assert.equal(outcome, "labelled", row);
      assert.equal(label, new Date(sec * 1000).toISOString().replace(".000Z", "Z"), row);
      assert.equal(delay, "250.0", row);
    } else {
      assert.equal(ns, 500_003_000, "the one extra edge, 500 ms into a second");
      assert.deepEqual([label, outcome], ["-", "spurious-edge"], row);
    }
  }
  assert.match(r.out, /latest refusal: spurious-edge: edge at .* is off the one-second grid/);
});

test("chrony: an unreachable chronyd is named with the fix, exit 1; chrony.command off says how to point at it", async () => {
  const dir = tmp();
  const r = await ctl(["chrony", "--socket", join(dir, "no-chronyd.sock"), "--status", join(dir, "none.json")], { nowUs: END_US });
  assert.equal(r.code, 1);
  assert.match(r.err, /chronyd not reachable on .*no-chronyd\.sock: is chrony running \(systemctl status chrony\)/);
  const conf = join(dir, "c.conf");
  writeFileSync(conf, "chrony.command = off\n");
  const off = await ctl(["chrony", "--config", conf], { nowUs: END_US });
  assert.equal(off.code, 78, "a config problem (EX_CONFIG)");
  assert.match(off.err, /chrony\.command is off in .*c\.conf; give chronyd's command socket with --socket PATH/);
});

test("logs: journalctl -u stratum1d with the operator's options; without journalctl, where to look instead", async () => {
  const bin = join(tmp(), "bin");
  mkdirSync(bin);
  // A journalctl that prints the arguments it was given, one per line.
  writeFileSync(join(bin, "journalctl"), '#!/bin/sh\nfor a in "$@"; do echo "[$a]"; done\n');
  chmodSync(join(bin, "journalctl"), 0o755);
  const env = { PATH: `${bin}:/usr/bin:/bin` };
  const args = async (argv: string[]) => (await ctl(["logs", ...argv], { nowUs: END_US, env })).out.trim().split("\n");
  assert.deepEqual(await args([]), ["[-u]", "[stratum1d]", "[-n]", "[100]"]);
  assert.deepEqual(await args(["-f", "--since", "1 hour ago", "-p", "warning"]), ["[-u]", "[stratum1d]", "[-f]", "[--since]", "[1 hour ago]", "[-p]", "[warning]"]);
  assert.deepEqual(await args(["-b", "-1", "-n", "20", "--with-chrony"]), ["[-u]", "[stratum1d]", "[-b]", "[-1]", "[-n]", "[20]", "[-u]", "[chrony]"]);
  assert.deepEqual(await args(["--boot", "-r"]), ["[-u]", "[stratum1d]", "[--boot]", "[-r]"]);
  const bad = await ctl(["logs", "--rotate"], { nowUs: END_US, env });
  assert.equal(bad.code, 64);
  assert.match(bad.err, /'--rotate' is not an option stratum1ctl logs passes to journalctl/);
  const none = await ctl(["logs"], { nowUs: END_US, env: { PATH: join(bin, "empty") } });
  assert.equal(none.code, 1);
  assert.match(none.err, /journalctl is not installed here: no systemd journal \(a container/);
  assert.match(none.err, /docker logs CONTAINER/);
});
