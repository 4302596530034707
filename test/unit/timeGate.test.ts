import assert from "node:assert/strict";
import { test } from "node:test";
import type { Epoch } from "../../src/gnss/epoch.js";
import { TimeGate, type GateVerdict } from "../../src/timing/timeGate.js";

const FLOOR = Date.parse("2026-11-01T00:00:00Z") / 1000;
const NOW = Date.parse("2026-11-21T12:00:00Z") / 1000;

function epoch(posix: number, rxUs: number, over: Partial<Epoch> = {}): Epoch {
  const d = new Date(posix * 1000);
  return {
    startRxUs: rxUs,
    date: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
    timeOfDay: { hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), micros: 0 },
    timeSource: "GPRMC",
    timeValid: true,
    fixMode: "3d",
    satellitesSeen: {},
    sources: ["GPRMC"],
    satellites: [],
    satellitesComplete: false,
    used: [],
    ...over,
  };
}

const gate = () => new TimeGate({ floorS: FLOOR, settleEpochs: 3, nowUs: () => NOW * 1e6 });
const reasons = (vs: GateVerdict[]) => vs.map((v) => (v.ok ? "ok" : v.reason));

test("samples flow only after three consistent epochs, labelled with the receiver's second", () => {
  const g = gate();
  const vs = [0, 1, 2, 3].map((k) => g.judge(epoch(NOW + k, (NOW + k) * 1e6 + 120_000)));
  assert.deepEqual(reasons(vs), ["settling", "settling", "ok", "ok"]);
  const last = vs[3]!;
  assert.ok(last.ok && last.sample.reference.sec === NOW + 3 && last.sample.reference.nsec === 0 && last.sample.local.sec === NOW + 3 && last.sample.local.nsec === 120_000_000);
});

test("a receiver time that jumps, repeats or goes back is refused until it has settled again", () => {
  const g = gate();
  const at = (sec: number, k: number) => g.judge(epoch(sec, (NOW + k) * 1e6 + 100_000));
  const vs = [at(NOW, 0), at(NOW + 1, 1), at(NOW + 2, 2), at(NOW + 3, 3), at(NOW + 3, 4), at(NOW + 6, 5), at(NOW + 7, 6), at(NOW + 8, 7), at(NOW + 9, 8)];
  // at k=4 the receiver repeats :03 (duplicate); at k=5 it says +3 s after 2 s elapsed (jump)
  assert.deepEqual(reasons(vs), ["settling", "settling", "ok", "ok", "duplicate-second", "time-jump", "settling", "ok", "ok"]);
});

test("GPS week rollover: a date 1024 weeks in the past is named as such and never labelled", () => {
  const g = gate();
  const rolled = NOW - 1024 * 7 * 86400;
  const vs = [0, 1, 2, 3, 4].map((k) => g.judge(epoch(rolled + k, (NOW + k) * 1e6)));
  assert.deepEqual(reasons(vs), Array(5).fill("gps-week-rollover"));
  const v = vs[0]!;
  assert.ok(!v.ok && /1024 weeks/.test(v.detail));
});

test("invalid status, no fix and dead reckoning are refused with their reasons", () => {
  const g = gate();
  assert.deepEqual(
    reasons([
      g.judge(epoch(NOW, NOW * 1e6, { timeValid: false })),
      g.judge(epoch(NOW, NOW * 1e6, { fixMode: "none", timeValid: undefined })),
      g.judge(epoch(NOW, NOW * 1e6, { fixMode: "dead-reckoning" })),
      g.judge(epoch(NOW, NOW * 1e6, { date: undefined })),
    ]),
    ["receiver-invalid", "no-fix", "no-fix", "no-date"],
  );
});

test("the inserted leap second 23:59:60 yields no sample and the seconds either side stay labelled right", () => {
  const g = gate();
  const midnight = Date.parse("2026-12-31T23:59:57Z") / 1000; // 57, 58, 59, 60, 00, 01
  const tods = [57, 58, 59, 60];
  const vs = tods.map((s, k) => g.judge(epoch(midnight + k, (midnight + k) * 1e6 + 100_000, { timeOfDay: { hour: 23, minute: 59, second: s, micros: 0 }, date: { year: 2026, month: 12, day: 31 } })));
  const after = [0, 1].map((s, i) =>
    g.judge(epoch(midnight + 3 + i, (midnight + 4 + i) * 1e6 + 100_000, { timeOfDay: { hour: 0, minute: 0, second: s, micros: 0 }, date: { year: 2027, month: 1, day: 1 } })),
  );
  assert.deepEqual(reasons([...vs, ...after]), ["settling", "settling", "ok", "leap-second", "ok", "ok"]);
  const first = after[0]!;
  assert.ok(first.ok && first.sample.utcSecond === Date.parse("2027-01-01T00:00:00Z") / 1000);
});
