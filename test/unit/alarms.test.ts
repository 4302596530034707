/* Antenna state from real receivers' own reports, and the alarm conditions the service derives from its status. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { readCapture } from "../../sim/replay/captures.js";
import { AlarmTracker, alarmConditions } from "../../src/status/alarms.js";
import { Health } from "../../src/status/health.js";
import { createLogger } from "../../src/log/logger.js";
import { buildSnapshot, snapshotFacts } from "../../src/status/snapshot.js";
import { offlinePipeline } from "../support/offline.js";
import { healthyFacts, healthySnapshot, lockedPps } from "../support/snapshot.js";

const line = (body: string): Buffer => Buffer.from(withChecksum(body) + "\r\n");

test("antenna state comes from the receiver's own reports: u-blox TXT ANTSTATUS in a real capture, MON-HW, MON-RF, MediaTek PGTOP", () => {
  // (The MON-HW at the end of ublox8-uniqid-monhw.log is cut short by the capture's end, so it is built here from the protocol's layout: 60 bytes, aStatus at 20.)
  const monhw = offlinePipeline();
  const hw = Buffer.alloc(60);
  hw[20] = 4;
  monhw.pipeline.push(encodeUbx(0x0a, 0x09, hw), 1);
  assert.deepEqual({ state: monhw.health.antenna?.state, source: monhw.health.antenna?.source }, { state: "open", source: "UBX-MON-HW" });

  const lea = offlinePipeline();
  lea.pipeline.push(readCapture("ublox-lea-5h.log"), 1);
  assert.equal(lea.health.antenna?.state, "ok", "LEA-5H says ANTSTATUS=OK in TXT");

  const o = offlinePipeline();
  o.pipeline.push(line("$GNTXT,01,01,01,ANTSTATUS=OPEN"), 1);
  assert.equal(o.health.antenna?.state, "open");
  assert.equal(o.logLines.filter((l) => /antenna: open circuit/.test(l)).length, 1);
  o.pipeline.push(line("$GNTXT,01,01,01,ANTSTATUS=OPEN"), 2);
  assert.equal(o.logLines.filter((l) => /antenna: open/.test(l)).length, 1, "a repeated state is not logged again");
  o.pipeline.push(line("$PGTOP,11,1"), 3);
  assert.equal(o.health.antenna?.state, "short");
  o.pipeline.push(line("$PGTOP,11,3"), 4);
  assert.equal(o.health.antenna?.state, "ok");
  assert.ok(o.logLines.some((l) => /antenna: ok \(PGTOP, was short\)/.test(l)));
  const lines = o.logLines.length;
  for (let i = 0; i < 5; i++) o.pipeline.push(line("$PGTOP,11,3"), 5 + i);
  assert.equal(o.logLines.length, lines, "MediaTek repeats PGTOP every few seconds: nothing logged while the state holds");

  // F9/M10 report it in MON-RF: version, nBlocks, reserved, then 24 bytes per block, antStatus at 2.
  const rf = Buffer.alloc(4 + 24);
  rf[1] = 1;
  rf[4 + 2] = 3;
  o.pipeline.push(encodeUbx(0x0a, 0x38, rf), 5);
  assert.deepEqual({ state: o.health.antenna?.state, source: o.health.antenna?.source }, { state: "short", source: "UBX-MON-RF" });
  assert.equal(o.health.decode["ubx-bad-payload"], undefined);
});

test("jamming state comes from the receiver's interference monitor (MON-HW, MON-RF) into the snapshot; a change is logged once", () => {
  const now = Date.UTC(2026, 10, 22, 12) * 1000;
  const o = offlinePipeline();
  const hw = (state: number, indicator: number): Buffer => {
    const p = Buffer.alloc(60);
    p[20] = 2;
    p[22] = state << 2;
    p[45] = indicator;
    return encodeUbx(0x0a, 0x09, p);
  };
  o.pipeline.push(hw(1, 12), now);
  o.pipeline.push(hw(3, 200), now + 1e6);
  o.pipeline.push(hw(3, 210), now + 2e6);
  const base = healthySnapshot(now);
  const parts = {
    health: o.health,
    device: { path: "/dev/serial0", baud: 9600 },
    sinks: [],
    pps: base.pps,
    chrony: base.chrony,
    host: base.host,
    lcd: null,
    startedUs: now,
    statusWriteError: null,
    faults: {},
  };
  assert.deepEqual(snapshotFacts(parts, now + 3e6).jamming, { state: "critical", indicator: 210, source: "UBX-MON-HW", since: new Date((now + 1e6) / 1000).toISOString() });
  assert.equal(o.logLines.filter((l) => /jamming critical/.test(l)).length, 1, "the state is logged when it changes, not at every report");
  // MON-RF (F9, M10): jammingState in the block's second byte, the CW indicator at 16.
  const rf = Buffer.alloc(4 + 24);
  rf[1] = 1;
  rf[4 + 1] = 1;
  rf[4 + 16] = 5;
  o.pipeline.push(encodeUbx(0x0a, 0x38, rf), now + 4e6);
  assert.deepEqual({ state: o.health.jamming?.state, indicator: o.health.jamming?.indicator }, { state: "ok", indicator: 5 });
  assert.ok(o.logLines.some((l) => /jamming ok \(UBX-MON-RF, was critical\)/.test(l)));
});

test("a snapshot built from the pipeline's health raises the antenna alarm; a healthy box raises none", () => {
  const now = Date.UTC(2026, 10, 22, 12) * 1000;
  assert.deepEqual(alarmConditions(healthySnapshot(now), now), []);
  const o = offlinePipeline();
  o.pipeline.push(line("$GPTXT,01,01,01,ANTSTATUS=SHORT"), now);
  const base = healthySnapshot(now);
  const s = snapshotFacts(
    { health: o.health, device: { path: "/dev/serial0", baud: 9600 }, sinks: [], pps: base.pps, chrony: base.chrony, host: base.host, lcd: null, startedUs: now, statusWriteError: null, faults: {} },
    now,
  );
  assert.ok(alarmConditions(s, now).some((a) => a.id === "antenna-short"));
});

test("no alarm for 'no PPS' when the receiver itself is silent: the panel shows the cause, not its consequences", () => {
  const now = Date.UTC(2026, 10, 22, 12) * 1000;
  const s = healthyFacts(now);
  s.device.lastDataAt = s.device.lastReportAt = new Date(now / 1000 - 30_000).toISOString();
  s.pps!.state = "no-pulse";
  s.pps!.lastPulseAt = null;
  s.fix.mode = "none";
  assert.deepEqual(
    alarmConditions(s, now).map((a) => a.id),
    ["no-gps-data"],
  );
  const titles = alarmConditions(healthySnapshot(now), now);
  assert.equal(titles.length, 0);
});

test("just started, nothing from the receiver yet: WAITING GPS and no alarm at first, then NO GPS DATA alone, never a passing NO PPS", () => {
  const start = Date.UTC(2026, 10, 22, 12) * 1000;
  const health = new Health();
  health.device = { state: "open", detail: "open at 9600 baud", sinceUs: start };
  const logLines: string[] = [];
  const tracker = new AlarmTracker(createLogger((l) => logLines.push(l), "debug"));
  const pps = { ...lockedPps(start), state: "no-pulse" as const, detail: "no pulse edge seen yet", lastPulseAt: null };
  const seen: string[] = [];
  for (let t = 1; t <= 12; t++) {
    const now = start + t * 1e6;
    const s = buildSnapshot(
      { health, device: { path: "/dev/serial0", baud: 9600 }, sinks: [], pps, chrony: null, host: null, lcd: null, startedUs: start, statusWriteError: null, faults: {} },
      now,
      tracker,
    );
    seen.push(`${s.summary.text}|${s.alarms.map((a) => a.title).join(",")}`);
  }
  assert.deepEqual(seen.slice(0, 5), Array(5).fill("WAITING GPS|"), 'the first seconds: waiting, not "SYNCING", and no alarm yet');
  assert.equal(seen.at(-1), "NO GPS DATA|NO GPS DATA");
  const alarmLines = logLines.filter((l) => /alarm/.test(l));
  assert.equal(alarmLines.length, 1, `one alarm logged, none raised and cleared on the way: ${alarmLines.join(" | ")}`);
  assert.match(alarmLines[0]!, /alarm: no gps data: /);
});

test("a receiver whose date is refused (the week-rollover bug) raises its own alarm, with the time core's reason", () => {
  const now = Date.UTC(2026, 10, 22, 12) * 1000;
  // april6_2019.log: a Telit receiver after the 2019 rollover, dating its fixes 1999-08-22; the host clock, 2019-04-07, is right.
  const pipeline = offlinePipeline("2019-03-01", 3, () => Date.UTC(2019, 3, 7) * 1000);
  pipeline.pipeline.push(readCapture("april6_2019.log"), now);
  pipeline.pipeline.idle(now + 10e6, 1);
  assert.equal(pipeline.health.time.state, "gps-week-rollover");
  pipeline.health.device = { state: "open", detail: "open", sinceUs: now - 60e6 };
  const base = healthySnapshot(now);
  const s = snapshotFacts(
    {
      health: pipeline.health,
      device: { path: "/dev/serial0", baud: 9600 },
      sinks: [],
      pps: base.pps,
      chrony: base.chrony,
      host: base.host,
      lcd: null,
      startedUs: now,
      statusWriteError: null,
      faults: {},
    },
    now,
  );
  const alarm = alarmConditions(s, now).find((a) => a.id === "receiver-date");
  assert.ok(alarm, JSON.stringify(alarmConditions(s, now)));
  assert.equal(alarm.title, "WRONG DATE");
  assert.match(alarm.detail, /1024 weeks behind the host clock/);
});

test("NO PPS when the pulse is missing while the receiver has a fix, whether it never came or stopped; not while the fix is lost (most receivers then keep their pulse off)", () => {
  const now = Date.UTC(2026, 10, 22, 12) * 1000;
  const ids = (change: (f: ReturnType<typeof healthyFacts>) => void): string[] => {
    const f = healthyFacts(now);
    change(f);
    return alarmConditions(f, now).map((a) => a.id);
  };
  assert.deepEqual(
    ids(() => undefined),
    [],
    "a pulse a second ago",
  );
  const never = alarmConditions(
    (() => {
      const f = healthyFacts(now);
      f.pps!.lastPulseAt = null;
      return f;
    })(),
    now,
  );
  assert.deepEqual(
    never.map((a) => a.id),
    ["no-pps"],
  );
  assert.match(never[0]!.detail, /no pulse edge seen yet/);
  const stopped = (f: ReturnType<typeof healthyFacts>): void => {
    f.pps!.lastPulseAt = new Date(now / 1000 - 40_000).toISOString();
    f.pps!.state = "holdover";
  };
  assert.deepEqual(ids(stopped), ["no-pps"], "the wire pulled after a lock");
  assert.deepEqual(
    ids((f) => {
      stopped(f);
      f.fix.mode = "none";
      f.time.state = "no-fix";
    }),
    ["no-fix"],
    "no fix: the pulse is not expected, NO FIX says why",
  );
});

test("a fault caught in the service keeps it degraded for ten minutes, naming where", () => {
  const now = Date.UTC(2026, 10, 22, 12) * 1000;
  const f = healthyFacts(now);
  f.service.faults = { "serial data": { count: 2, lastAt: new Date(now / 1000 - 60_000).toISOString(), message: "boom" } };
  const alarm = alarmConditions(f, now).find((a) => a.id === "degraded");
  assert.match(alarm?.detail ?? "", /software fault in serial data \(2x, see the log\): boom/);
  f.service.faults["serial data"]!.lastAt = new Date(now / 1000 - 700_000).toISOString();
  assert.deepEqual(alarmConditions(f, now), []);
});
