/*
 * TIM-TP's qErr applied to the right edge: filed under the second it names,
 * handed out once, never to the edge just past; with it, the simulated
 * receiver's sawtooth disappears from the pulse offsets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import { cfgMsgSet } from "../../src/gnss/ubx/cfgMsg.js";
import { UBX } from "../../src/gnss/ubx/messageIds.js";
import { Framer } from "../../src/gnss/framer.js";
import type { TimePulseReport } from "../../src/gnss/receiverReports.js";
import { QErrBook, SawtoothMeter } from "../../src/timing/qErrBook.js";
import { DEFAULT_SKY } from "../../sim/receivers/skyState.js";
import { NEO_M8T } from "../../sim/receivers/ubloxModels.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0) / 1000;

function timePulses(bytes: Buffer): TimePulseReport[] {
  const out: TimePulseReport[] = [];
  new Framer({
    frame: (f) => {
      if (f.kind !== "ubx") return;
      const d = decodeUbx(f.msgClass, f.msgId, f.payload);
      if (d.ok && d.report.timePulse) out.push(d.report.timePulse);
    },
    reject: () => undefined,
  }).push(bytes, 0);
  return out;
}

test("an edge gets the qErr announced for its own second, once, and never the one announced for the next", () => {
  const book = new QErrBook();
  const tp = (second: number, qErrPs: number): TimePulseReport => ({
    towMs: ((second - 315_964_800) % 604_800) * 1000,
    towSubMs: 0,
    qErrPs,
    week: Math.floor((second - 315_964_800) / 604_800),
    timeBase: "utc",
    utcAvailable: true,
    raim: 2,
  });
  assert.equal(book.announce(tp(T0 + 1, -4331), undefined), true);
  assert.equal(book.take(T0), undefined, "the edge of T0 came before its announcement: no correction rather than T0+1's");
  assert.equal(book.take(T0 + 1), -4331);
  assert.equal(book.take(T0 + 1), undefined, "once");
  // A GNSS time base is GPS time: 18 s ahead of UTC; without the leap count it cannot be filed.
  const gps = { ...tp(T0 + 2 + 18, 777), timeBase: "gnss" as const };
  assert.equal(book.announce(gps, undefined), false);
  assert.equal(book.announce(gps, 18), true);
  assert.equal(book.take(T0 + 2), 777);
  // Announcements that no edge claims do not pile up.
  for (let s = 10; s < 100; s++) book.announce(tp(T0 + s, s), undefined);
  assert.equal(book.take(T0 + 10), undefined);
  assert.equal(book.take(T0 + 99), 99);
});

test("with qErr applied, the simulated M8T's ±10 ns sawtooth leaves the pulse offsets", () => {
  const rx = new SimulatedUblox(NEO_M8T, { antennaCableDelayNs: 50 }); // a 50 ns cable, compensated by the default 50 ns setting
  rx.write(cfgMsgSet(UBX.TIM_TP, 1));
  const book = new QErrBook();
  const meter = new SawtoothMeter(100);
  for (let s = 0; s < 100; s++) {
    for (const tp of timePulses(rx.epoch(T0 + s, DEFAULT_SKY))) book.announce(tp, undefined);
    const edge = rx.pulse(T0 + s + 1, DEFAULT_SKY)!;
    meter.add(edge.errorPs / 1000, book.take(T0 + s + 1) ?? 0);
  }
  const r = meter.report();
  assert.equal(r.samples, 100);
  assert.ok(r.beforeNs.spread > 18 && r.beforeNs.spread <= 20.9, `before ${r.beforeNs.spread} ns`);
  assert.ok(r.afterNs.spread < 0.01, `after ${r.afterNs.spread} ns`);
  // The wrong sign doubles it: what the spread report is there to catch on real hardware.
  const wrong = new SawtoothMeter(100);
  for (let s = 0; s < 50; s++) wrong.add(s % 2 ? 5 : -5, s % 2 ? 5000 : -5000, -1);
  assert.equal(wrong.report().afterNs.spread, 20);
});
