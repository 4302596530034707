/*
 * The gate's hysteresis in virtual time, as a router would see it: the
 * fake kernel's address table (lifetimes expiring with the virtual clock)
 * is what gets announced. Defaults from stratum1.conf: a check every 2 s,
 * 3 failed checks to go down, 10 good ones to come back, 60 s of hold-down
 * after a withdrawal, 20 s address lifetime.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CmdmonTracking } from "../../src/chrony/cmdmon/views.js";
import { FleetGate } from "../../src/fleet/fleetGate.js";
import { gateSettings } from "../../src/fleet/gateSettings.js";
import type { BoxFacts } from "../../src/fleet/healthVerdict.js";
import type { FleetGateStatus } from "../../src/fleet/gateStatus.js";
import { createLogger } from "../../src/log/logger.js";
import { FakeServiceAddresses } from "../../sim/fakes/fakeServiceAddresses.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";
import { configWith } from "../support/config.js";
import { lockedTracking } from "../support/tracking.js";

const OWN = "2001:db8:123::1";
const OWN4 = "203.0.113.1";
const BACKUP = "2001:db8:123::2";

type ChronyState = "good" | "unsynchronised" | "far" | "down" | "hung";

function rig(box?: () => BoxFacts) {
  const cfg = configWith({ "fleet.own": `${OWN}, ${OWN4}`, "fleet.backup": BACKUP });
  const clock = new VirtualClock(Date.parse("2027-03-01T00:00:00Z") * 1000);
  const kernel = new FakeServiceAddresses(clock);
  const log: string[] = [];
  const statuses: FleetGateStatus[] = [];
  let chrony: ChronyState = "good";
  const tracking = async (): Promise<CmdmonTracking> => {
    if (chrony === "down") throw new Error("chronyd: ECONNREFUSED");
    if (chrony === "hung") return new Promise(() => {});
    return lockedTracking(clock.realtimeUs(), {
      stratum: chrony === "unsynchronised" ? 0 : 1,
      leap: chrony === "unsynchronised" ? "unsynchronised" : "normal",
      systemOffsetS: chrony === "far" ? 0.2 : 1e-7,
    });
  };
  const gate = new FleetGate(
    gateSettings(cfg),
    { tracking, ...(box ? { box: async () => box() } : {}) },
    kernel,
    clock,
    createLogger((l) => log.push(l), "debug"),
    (s) => statuses.push(s),
  );
  return {
    gate,
    kernel,
    clock,
    log,
    statuses,
    set: (s: ChronyState) => (chrony = s),
    /** Seconds of virtual time, checks and expiries included. */
    run: (s: number) => clock.runFor(s * 1000),
    announced: () => kernel.announced(),
    transitions: () => log.filter((l) => l.includes("fleet: ") && l.includes(" -> ")),
  };
}

const HEALTHY = { [OWN]: "fleet-own", [OWN4]: "fleet-own", [BACKUP]: "fleet-backup" };

test("at start nothing is announced until ten checks in a row pass; then own addresses plainly, the backup one with the long path", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(16);
  assert.deepEqual(r.announced(), {}, "nine checks are not enough");
  await r.run(4);
  assert.deepEqual(r.announced(), HEALTHY);
  assert.deepEqual(r.transitions(), ["<6>fleet: withdrawn -> announced: 10 good checks in a row"]);
  assert.equal(r.statuses.at(-1)?.state, "announced");
  await r.gate.stop();
});

test("chrony unsynchronised: withdrawn after three checks, with the reason; one bad check alone moves nothing", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(20);
  r.set("unsynchronised");
  await r.run(2);
  r.set("good");
  await r.run(10);
  assert.deepEqual(r.announced(), HEALTHY, "a single bad check does not move the clients");
  r.set("unsynchronised");
  await r.run(4);
  assert.deepEqual(r.announced(), HEALTHY, "two bad checks are not three");
  await r.run(2);
  assert.deepEqual(r.announced(), {});
  assert.match(r.transitions().at(-1) ?? "", /^<4>fleet: announced -> withdrawn: chrony is not synchronised .*\(3 checks in a row\)$/);
  const s = r.statuses.at(-1);
  assert.equal(s?.state, "withdrawn");
  assert.equal(s?.transitions.withdrawn, 1);
  assert.equal(s?.findings[0]?.code, "unsynchronised");
  await r.gate.stop();
});

test("coming back after a withdrawal waits for the hold-down (60 s) even when the checks pass sooner", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(20);
  r.set("far");
  await r.run(6);
  assert.deepEqual(r.announced(), {});
  const withdrawnAt = r.clock.nowUs;
  r.set("good");
  await r.run(30);
  assert.deepEqual(r.announced(), {}, "ten good checks, but inside the hold-down");
  assert.ok((r.statuses.at(-1)?.holdDownLeftS ?? 0) > 20, "the status says how long is left");
  assert.ok(r.log.some((l) => /held down for \d+ s more/.test(l)));
  await r.run(60 - 30 - 2);
  assert.deepEqual(r.announced(), {}, "still inside the hold-down");
  await r.run(4);
  assert.deepEqual(r.announced(), HEALTHY);
  const backAfterS = (r.clock.nowUs - withdrawnAt) / 1e6;
  assert.ok(backAfterS >= 60 && backAfterS <= 64, `back ${backAfterS} s after the withdrawal`);
  await r.gate.stop();
});

test("a time that swings good and bad every few checks is withdrawn once and stays withdrawn: no flapping", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(20);
  for (let i = 0; i < 20; i++) {
    r.set(i % 2 === 0 ? "unsynchronised" : "good");
    await r.run(i % 2 === 0 ? 8 : 12);
  }
  const moves = r.transitions();
  assert.equal(moves.filter((l) => l.includes("-> withdrawn")).length, 1, moves.join("\n"));
  assert.equal(moves.filter((l) => l.includes("-> announced")).length, 1, "only the start");
  await r.gate.stop();
});

test("the receiver's alarms degrade a box: every address moves to the degraded interface, and back when they clear", async () => {
  let alarms: Array<{ id: string; detail: string }> = [];
  const r = rig(() => ({ fresh: true, alarms }));
  await r.gate.start();
  await r.run(20);
  assert.deepEqual(r.announced(), HEALTHY);
  alarms = [{ id: "no-pps", detail: "no pulse for 6 s" }];
  await r.run(6);
  assert.deepEqual(r.announced(), { [OWN]: "fleet-degraded", [OWN4]: "fleet-degraded", [BACKUP]: "fleet-degraded" });
  assert.match(r.transitions().at(-1) ?? "", /announced -> degraded: no pulse for 6 s/);
  alarms = [];
  await r.run(20);
  assert.deepEqual(r.announced(), HEALTHY, "no hold-down from degraded: it never withdrew");
  await r.gate.stop();
});

test("a gate that hangs stops renewing: its addresses expire within the 20 s lifetime, with no one taking them off", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(20);
  r.set("hung");
  await r.run(2);
  const putsBefore = r.kernel.calls.filter((c) => c.startsWith("put")).length;
  await r.run(22);
  assert.deepEqual(r.announced(), {});
  assert.equal(r.kernel.calls.filter((c) => c.startsWith("put")).length, putsBefore, "nothing renewed");
  assert.ok(!r.kernel.calls.some((c) => c.startsWith("remove")), "nobody removed them: they expired");
});

test("chronyd gone: withdrawn within three checks (6 s)", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(20);
  r.set("down");
  await r.run(6);
  assert.deepEqual(r.announced(), {});
  assert.match(r.transitions().at(-1) ?? "", /chronyd does not answer \(chronyd: ECONNREFUSED\)/);
  await r.gate.stop();
});

test("an address the kernel refuses: one log line with the kernel's words, counted, the others announced, no crash", async () => {
  const r = rig();
  r.kernel.refuse.set(OWN4, "RTNETLINK answers: Permission denied");
  await r.gate.start();
  await r.run(30);
  assert.deepEqual(r.announced(), { [OWN]: "fleet-own", [BACKUP]: "fleet-backup" });
  const lines = r.log.filter((l) => l.includes("Permission denied"));
  assert.deepEqual(lines, [`<3>fleet: cannot put ${OWN4} on fleet-own: RTNETLINK answers: Permission denied`]);
  assert.ok((r.statuses.at(-1)?.errors.count ?? 0) >= 5, "every failure counted");
  await r.gate.stop();
});

test("stopping the gate takes every address off at once", async () => {
  const r = rig();
  await r.gate.start();
  await r.run(20);
  assert.deepEqual(r.announced(), HEALTHY);
  await r.gate.stop();
  assert.deepEqual(r.announced(), {});
  assert.match(r.transitions().at(-1) ?? "", /announced -> withdrawn: the gate is stopping/);
});
