/* Bad satellite input is counted under a named reason and never stops the next good sentence; what GSV leaves empty stays unknown. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { snapshotFacts } from "../../src/status/snapshot.js";
import { offlinePipeline } from "../support/offline.js";

const line = (body: string): Buffer => Buffer.from(withChecksum(body) + "\r\n");
const snap = (o: ReturnType<typeof offlinePipeline>) =>
  snapshotFacts({ health: o.health, device: { path: "x", baud: 9600 }, sinks: [], pps: null, chrony: null, host: null, lcd: null, startedUs: 1, statusWriteError: null, faults: {} }, 2e15);

test("malformed GSV and GSA are counted as malformed-sentence; the good GSV after them makes the table; empty fields are unknown, not 0", () => {
  const o = offlinePipeline();
  o.pipeline.push(line("$GPGSV,1,1,02,07,4x,123,30,09,12,200,"), 1);
  o.pipeline.push(line("$GPGSV,2,3,02,07,45,123,30"), 2);
  o.pipeline.push(line("$GPGSV,1,1,02,07,45,123,30,09,12,200,44,11,22"), 3);
  o.pipeline.push(line("$GNGSA,A,3,07,X9,,,,,,,,,,,1.5,0.9,1.2"), 4);
  assert.equal(o.health.decode["malformed-sentence"], 4);
  o.pipeline.push(line("$GPGSV,1,1,03,07,45,123,30,09,,,,12,10,300,41"), 5);
  o.pipeline.push(line("$GPGSA,A,3,07,12,,,,,,,,,,,1.5,0.9,1.2"), 6);
  o.pipeline.idle(2e6, 1e6);
  assert.deepEqual(snap(o).sky?.satellites, [
    { system: "GPS", id: 7, elevationDeg: 45, azimuthDeg: 123, cnoDbHz: 30, used: true },
    { system: "GPS", id: 9, elevationDeg: null, azimuthDeg: null, cnoDbHz: null, used: false },
    { system: "GPS", id: 12, elevationDeg: 10, azimuthDeg: 300, cnoDbHz: 41, used: true },
  ]);
  assert.deepEqual(snap(o).fix.dop, { pdop: 1.5, hdop: 0.9, vdop: 1.2 });
});

test("GSV numbers: a sign only before digits, at most three digits, within their ranges", () => {
  const o = offlinePipeline();
  for (const bad of ["07,-,123,30", "07,+5,123,30", "07,5-,123,30", "07,1000,123,30", "07,91,123,30", "07,45,361,30", "07,45,123,-1", "0x7,45,123,30"]) {
    o.pipeline.push(line(`$GPGSV,1,1,01,${bad}`), 1);
  }
  assert.equal(o.health.decode["malformed-sentence"], 8);
  o.pipeline.push(line("$GPGSV,1,1,02,07,-5,360,0,009,090,000,99"), 2);
  o.pipeline.idle(2e6, 1e6);
  assert.deepEqual(snap(o).sky?.satellites, [
    { system: "GPS", id: 7, elevationDeg: -5, azimuthDeg: 0, cnoDbHz: 0, used: false },
    { system: "GPS", id: 9, elevationDeg: 90, azimuthDeg: 0, cnoDbHz: 99, used: false },
  ]);
});

test("a NAV-SAT, MON-VER or NAV-DOP of the wrong size is ubx-bad-payload, and nothing of it reaches the status", () => {
  const o = offlinePipeline();
  const sat = Buffer.alloc(8 + 12 * 2);
  sat[5] = 3; // claims three satellites, carries two
  o.pipeline.push(encodeUbx(0x01, 0x35, sat), 1);
  o.pipeline.push(encodeUbx(0x01, 0x35, Buffer.alloc(5)), 2);
  o.pipeline.push(encodeUbx(0x0a, 0x04, Buffer.alloc(41)), 3);
  o.pipeline.push(encodeUbx(0x01, 0x04, Buffer.alloc(16)), 4);
  o.pipeline.idle(2e6, 1e6);
  assert.equal(o.health.decode["ubx-bad-payload"], 4);
  const s = snap(o);
  assert.deepEqual([s.sky, s.receiver, s.fix.dop], [null, null, null]);
});

test("a GSV storm cannot grow the status: the table is bounded", () => {
  const o = offlinePipeline();
  for (let prn = 1; prn <= 400; prn += 4) {
    o.pipeline.push(line(`$GBGSV,1,1,04,${prn},10,100,30,${prn + 1},10,100,30,${prn + 2},10,100,30,${prn + 3},10,100,30`), 1 + prn);
  }
  o.pipeline.idle(2e6, 1e6);
  assert.equal(snap(o).sky?.satellites.length, 128);
});

test("a GSV group cut short does not shrink the table; a constellation not listed for 10 s leaves it", () => {
  const o = offlinePipeline();
  const S = 1e6;
  const rows = () => snap(o).sky?.satellites.map((x) => `${x.system} ${x.id} ${x.cnoDbHz}`);
  // Epoch 1: GPS in two messages, GLONASS in one.
  o.pipeline.push(line("$GPGSV,2,1,05,01,10,100,31,02,20,200,32,03,30,300,33,04,40,40,34"), 1 * S);
  o.pipeline.push(line("$GPGSV,2,2,05,05,50,50,35"), 1 * S + 1000);
  o.pipeline.push(line("$GLGSV,1,1,01,65,10,10,20"), 1 * S + 2000);
  // Epoch 2: the second GPS message is lost; GLONASS changes.
  o.pipeline.push(line("$GPGSV,2,1,05,01,10,100,41,02,20,200,42,03,30,300,43,04,40,40,44"), 2 * S);
  o.pipeline.push(line("$GLGSV,1,1,01,65,10,10,25"), 2 * S + 2000);
  o.pipeline.idle(2 * S + 500_000, 400_000);
  assert.deepEqual(rows(), ["GPS 1 31", "GPS 2 32", "GPS 3 33", "GPS 4 34", "GPS 5 35", "GLONASS 65 25"]);
  // 11 s later only GLONASS is listed: GPS was last listed 10 s before, and goes.
  o.pipeline.push(line("$GLGSV,1,1,01,65,10,10,26"), 12 * S + 1);
  o.pipeline.idle(12 * S + 500_000, 400_000);
  assert.deepEqual(rows(), ["GLONASS 65 26"]);
});
