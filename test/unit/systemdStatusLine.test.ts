/* What `systemctl status stratum1d` says in each condition an operator meets from power-on to lock. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SnapshotFacts } from "../../src/status/contract.js";
import { statusLine } from "../../src/status/statusLine.js";
import { healthyFacts, withHeldAlarms } from "../support/snapshot.js";

const now = Date.UTC(2026, 10, 22, 12) * 1000;
const ago = (s: number): string => new Date(now / 1000 - s * 1000).toISOString();

/** The line for a healthy box changed by `make`, with the alarms its conditions raise (as if held long enough). */
function line(make: (s: SnapshotFacts) => void): string {
  const f = healthyFacts(now);
  make(f);
  return statusLine(withHeldAlarms(f, now));
}

const justOpened = (s: SnapshotFacts): void => {
  s.device.since = ago(2);
  s.device.lastDataAt = s.device.lastReportAt = null;
  s.time.state = "waiting";
  s.pps!.state = "no-pulse";
};

test("a healthy box: the panel's verdict, no alarms", () => {
  assert.equal(
    line(() => {}),
    "locked pps",
  );
});

test("the first seconds after start: waiting for GPS, and whether anything has arrived", () => {
  assert.equal(line(justOpened), "waiting for GPS (/dev/serial0: nothing received yet)");
  assert.equal(
    line((s) => {
      justOpened(s);
      s.device.lastDataAt = ago(0.5);
    }),
    "waiting for GPS (/dev/serial0: no complete epoch yet)",
  );
});

test("a silent receiver, a garbled line and a missing device each say so, with the alarm", () => {
  assert.equal(
    line((s) => {
      s.device.lastDataAt = s.device.lastReportAt = ago(10);
    }),
    "waiting for GPS (/dev/serial0: silent); alarms: no gps data",
  );
  assert.equal(
    line((s) => {
      s.device.lastReportAt = ago(10);
    }),
    "waiting for GPS (/dev/serial0: nothing decodes); alarms: gps garbled",
  );
  assert.equal(
    line((s) => {
      s.device.state = "missing";
      s.device.detail = "/dev/serial0 does not exist";
    }),
    "waiting for GPS (/dev/serial0: /dev/serial0 does not exist); alarms: no gps data",
  );
});
