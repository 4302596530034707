/*
 * The fleet gate's and the updater's state in stratum1d: the real gate
 * (FleetGate against a fake kernel and a scripted chrony) writes its file,
 * the updater's status is written by its own writer, stratum1d's watcher
 * reads both through the real file reader, and the snapshot, its alarms, the
 * panel, `stratum1ctl status` and the metrics show them. A missing gate file
 * on a box in a fleet is a gate that is not running; on a box not in a fleet
 * nothing is read.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";
import { FakeServiceAddresses } from "../../sim/fakes/fakeServiceAddresses.js";
import type { CmdmonTracking } from "../../src/chrony/cmdmon/views.js";
import { renderScreen } from "../../src/display/pages.js";
import { FleetGate } from "../../src/fleet/fleetGate.js";
import { gateSettings } from "../../src/fleet/gateSettings.js";
import { fileStateFiles } from "../../src/hal/linux/fileStateFiles.js";
import { createLogger } from "../../src/log/logger.js";
import { Exposition } from "../../src/metrics/exposition.js";
import { AlarmTracker, alarmConditions } from "../../src/status/alarms.js";
import type { SnapshotFacts, StatusSnapshot } from "../../src/status/contract.js";
import { NeighbourWatch } from "../../src/status/neighbours.js";
import { completeSnapshot } from "../../src/status/snapshot.js";
import { judgeTime } from "../../src/update/goodTime.js";
import { type UpdateStatus, writeUpdateStatus } from "../../src/update/updateStatus.js";
import { ctl, tmp, writeSnapshot } from "../support/ctl.js";
import { parseExposition } from "../support/exposition.js";
import { healthyFacts } from "../support/snapshot.js";
import { configWith } from "../support/config.js";
import { lockedTracking } from "../support/tracking.js";

const T0 = Date.parse("2027-03-01T00:00:00Z") * 1000;

/** A box: the real gate writing gate.json into `dir` as stratum1-fleetd does, stratum1d's watcher reading it, and the snapshot as the status tick builds it. */
function box(dir: string, opts: { inFleet: boolean } = { inFleet: true }) {
  const clock = new VirtualClock(T0);
  const gateFile = join(dir, "gate.json");
  const updateFile = join(dir, "update.json");
  const cfg = configWith({ "fleet.own": "2001:db8:123::1" });
  let synced = true;
  const tracking = async (): Promise<CmdmonTracking> => lockedTracking(clock.realtimeUs(), { stratum: synced ? 1 : 0, leap: synced ? "normal" : "unsynchronised" });
  const log = createLogger(() => undefined, "debug");
  const gate = new FleetGate(gateSettings(cfg), { tracking }, new FakeServiceAddresses(clock), clock, log, (s) => writeFileSync(gateFile, JSON.stringify(s)));
  const warnings: string[] = [];
  const watch = new NeighbourWatch(fileStateFiles, { fleet: opts.inFleet ? gateFile : null, update: updateFile }, (m) => warnings.push(m));
  const alarms = new AlarmTracker(log);
  const snapshot = async (): Promise<StatusSnapshot> => {
    watch.poll();
    const now = clock.realtimeUs();
    const facts: SnapshotFacts = { ...healthyFacts(now), fleet: watch.fleet(now), update: watch.update() };
    return completeSnapshot(facts, alarms.update(alarmConditions(facts, now), now), now);
  };
  /** Seconds of virtual time, a snapshot every second as the status tick makes them. */
  const run = async (s: number): Promise<StatusSnapshot> => {
    let last = await snapshot();
    for (let i = 0; i < s; i++) {
      await clock.runFor(1000);
      last = await snapshot();
    }
    return last;
  };
  return { clock, gate, gateFile, updateFile, warnings, run, setSynced: (v: boolean) => (synced = v) };
}

function updateStatus(over: Partial<UpdateStatus>): UpdateStatus {
  return {
    version: 1,
    updatedAt: new Date(T0 / 1000).toISOString(),
    running: { version: "2027.03.1", slot: "A" },
    phase: "committed",
    trial: null,
    install: null,
    rollback: null,
    slots: [
      { name: "A", version: "2027.03.1", state: "good", booted: true, committed: true },
      { name: "B", version: "2027.02.4", state: "good", booted: false, committed: false },
    ],
    ...over,
  };
}

test("in a fleet: the gate's state reaches the snapshot and the fleet page; withdrawn is an alarm with the gate's reason", async () => {
  const b = box(tmp());
  await b.gate.start();
  let s = await b.run(1);
  assert.equal(s.fleet?.state, "bad", "the gate starts withdrawn");
  await b.run(25);
  s = await b.run(1);
  assert.equal(s.fleet?.state, "healthy");
  assert.match(s.fleet?.reason ?? "", /good checks in a row/);
  assert.deepEqual(
    s.alarms.map((a) => a.id),
    [],
  );
  assert.deepEqual(renderScreen(s, { cols: 16, rows: 2 }, b.clock.realtimeUs(), 1, ["fleet"]).lines, ["FLEET  ANNOUNCED", "for        0m09s"]);

  b.setSynced(false);
  s = await b.run(12);
  assert.equal(s.fleet?.state, "bad");
  const alarm = s.alarms.find((a) => a.id === "fleet");
  assert.ok(alarm, "withdrawn is an alarm");
  assert.equal(alarm.title, "WITHDRAWN");
  assert.match(alarm.detail, /withdrawn from the fleet .*unsynchronised/);

  const screens = [0, 1, 2, 3].map((i) => renderScreen(s, { cols: 16, rows: 2 }, b.clock.realtimeUs() + i * 1e6, 1).lines[0]);
  assert.ok(
    screens.some((l) => l?.includes("WITHDRAWN")),
    screens.join("|"),
  );
  await b.gate.stop();
});

test("a fleet alarm alone leaves the box serving (its time is good): the route is the gate's business, and an update's trial is not held back by it", async () => {
  const dir = tmp();
  const b = box(dir);
  // A gate that has not started: in a fleet, a missing file is a gate not running.
  const s = await b.run(4);
  assert.equal(s.fleet?.state, "bad");
  assert.match(s.fleet?.reason ?? "", /stratum1-fleetd is not running/);
  assert.deepEqual(
    s.alarms.map((a) => [a.id, a.hint]),
    [["fleet", "fleet gate down"]],
  );
  assert.equal(s.summary.state, "serving");
  assert.equal(judgeTime(s, b.clock.realtimeUs(), "receiver").good, true);
  assert.deepEqual(b.warnings, []);
});

test("a gate that stopped writing is shown withdrawn: its addresses expire on their own", async () => {
  const b = box(tmp());
  await b.gate.start();
  await b.run(25);
  assert.equal((await b.run(1)).fleet?.state, "healthy");
  await b.gate.stop();
  // Stopped without its ExecStopPost: the file stays, and ages.
  const s = await b.run(12);
  assert.equal(s.fleet?.state, "bad");
  assert.match(s.fleet?.reason ?? "", /has not checked for 1\d s/);
});

test("not in a fleet: no gate file is read, whatever lies in /run; the fleet page is skipped", async () => {
  const b = box(tmp(), { inFleet: false });
  writeFileSync(b.gateFile, "{}");
  const s = await b.run(5);
  assert.equal(s.fleet, null);
  assert.deepEqual(s.alarms, []);
  const views = new Set([0, 1, 2, 3, 4, 5].map((i) => renderScreen(s, { cols: 16, rows: 2 }, b.clock.realtimeUs() + i * 1e6, 1).view));
  assert.deepEqual([...views].sort(), ["gps", "host", "ntp", "sync", "time"]);
});

test("updates: the build's version in the status; progress on the panel while installing; a rollback is an alarm until acknowledged", async () => {
  const b = box(tmp(), { inFleet: false });
  let s = await b.run(1);
  assert.equal(s.update, null, "no updater, no update state");

  writeUpdateStatus(updateStatus({}), b.updateFile);
  s = await b.run(1);
  assert.deepEqual(s.update, { version: "2027.03.1", slot: "A", phase: "committed", install: null, rollback: null });

  writeUpdateStatus(updateStatus({ phase: "installing", install: { percent: 42.4, step: "Copying image to rootfs.1", bundle: "/run/x.raucb" } }), b.updateFile);
  s = await b.run(1);
  assert.deepEqual(renderScreen(s, { cols: 16, rows: 2 }, b.clock.realtimeUs(), 10).lines, ["UPDATING     42%", "Copying image to"]);
  const wide = renderScreen(s, { cols: 20, rows: 4 }, b.clock.realtimeUs(), 10);
  assert.equal(wide.view, "update");
  assert.equal(wide.lines[2], "UPDATING         42%");

  const rollback = { slot: "B" as const, version: "2027.04.0", at: "2027-03-01T00:00:05.000Z", reason: "no good time within 900 s", acknowledged: false };
  writeUpdateStatus(updateStatus({ rollback }), b.updateFile);
  s = await b.run(4);
  assert.deepEqual(
    s.alarms.map((a) => a.id),
    ["update-rolled-back"],
  );
  assert.equal(s.summary.state, "degraded", "stratum1ctl status says so until acknowledged");
  assert.equal(judgeTime(s, b.clock.realtimeUs(), "receiver").good, true, "a rollback does not count against the next update's trial");

  const shown = await ctl(["status", "--status", writeSnapshot(tmp(), s)], { nowUs: b.clock.realtimeUs() });
  assert.match(shown.out, /ROLLED BACK — check: update status/);
  assert.match(shown.out, /build\s+2027\.03\.1 from slot A \(committed\)/);
  assert.match(shown.out, /rollback\s+2027\.04\.0 rolled back at .*: stratum1ctl update acknowledge/);

  writeUpdateStatus(updateStatus({ rollback: { ...rollback, acknowledged: true } }), b.updateFile);
  s = await b.run(1);
  assert.deepEqual(s.alarms, []);
  assert.equal(s.summary.state, "serving");
});

test("metrics: the gate's state, the build, the update phase and the rollback alarm", async () => {
  const b = box(tmp());
  await b.gate.start();
  await b.run(26);
  writeUpdateStatus(updateStatus({ rollback: { slot: "B", version: "2027.04.0", at: "2027-03-01T00:00:05.000Z", reason: "no good time", acknowledged: false } }), b.updateFile);
  const s = await b.run(4);
  const m = parseExposition(await new Exposition().render(s));
  assert.equal(m.value("stratum1_fleet_gate_state", { state: "healthy" }), 1);
  assert.equal(m.value("stratum1_fleet_gate_state", { state: "bad" }), 0);
  assert.equal(m.value("stratum1_build_info", { version: "2027.03.1", slot: "A" }), 1);
  assert.equal(m.value("stratum1_update_phase", { phase: "committed" }), 1);
  assert.equal(m.value("stratum1_update_install_progress_ratio"), undefined, "no series while nothing installs");
  assert.equal(m.value("stratum1_alarm_active", { alarm: "update-rolled-back" }), 1);
  assert.equal(m.value("stratum1_alarm_active", { alarm: "fleet" }), 0);
  await b.gate.stop();
});

test("an unreadable state file reads as missing, and the log says why once", async () => {
  const dir = tmp();
  const b = box(dir);
  // A directory where the file should be: EISDIR.
  const { mkdirSync } = await import("node:fs");
  mkdirSync(b.updateFile);
  const s = await b.run(3);
  assert.equal(s.update, null);
  assert.equal(b.warnings.length, 1);
  assert.match(b.warnings[0]!, /cannot read .*update\.json: EISDIR/);
});
