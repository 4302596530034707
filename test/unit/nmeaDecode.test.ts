import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeNmea } from "../../src/gnss/nmea/decodeNmea.js";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { parseDdmmyy, parseTimeOfDay } from "../../src/gnss/nmea/utcFields.js";
import { readPosition } from "../../src/gnss/nmea/position.js";
import { ubxUtc } from "../../src/gnss/ubx/utcFields.js";
import { offlinePipeline } from "../support/offline.js";

const rmcBody = (talker: string, time: string, date: string) => `$${talker}RMC,${time},A,4807.038,N,01131.000,E,0.0,0.0,${date},,,A`;

test("every constellation talker's RMC is decoded with its date and time", () => {
  for (const talker of ["GP", "GN", "GL", "GA", "GB", "BD", "GQ"]) {
    const d = decodeNmea(withChecksum(rmcBody(talker, "235959.50", "211126")));
    assert.ok(d.ok, `${talker}: ${JSON.stringify(d)}`);
    assert.equal(d.report.source, `${talker}RMC`);
    assert.deepEqual(d.report.date, { year: 2026, month: 11, day: 21 });
    assert.deepEqual(d.report.timeOfDay, { hour: 23, minute: 59, second: 59, micros: 500000 });
    assert.equal(d.report.timeValid, true);
  }
});

test("time fields are parsed strictly: fractions of any length, the leap second, nothing invented", () => {
  assert.deepEqual(parseTimeOfDay("120000.123"), { hour: 12, minute: 0, second: 0, micros: 123000 });
  assert.deepEqual(parseTimeOfDay("235960"), { hour: 23, minute: 59, second: 60, micros: 0 });
  assert.equal(parseTimeOfDay("120060"), undefined, "second 60 only at 23:59");
  assert.equal(parseTimeOfDay(""), undefined);
  assert.equal(parseTimeOfDay("25000"), undefined);
  assert.equal(parseTimeOfDay("246000"), undefined);
  assert.equal(parseTimeOfDay("120000."), undefined, "a point with no fraction");
  assert.equal(parseTimeOfDay("120000.1234567"), undefined, "more than microseconds");
  assert.equal(parseTimeOfDay("12000a"), undefined);
  assert.equal(parseTimeOfDay("-12000"), undefined);
  assert.deepEqual(parseDdmmyy("220899"), { year: 1999, month: 8, day: 22 }, "a rollover receiver's 99 is 1999, as gpsd reads it");
  assert.equal(parseDdmmyy("310226"), undefined, "31 February");
  assert.equal(parseDdmmyy("2208-1"), undefined);
});

test("positions are read strictly: ddmm.m / dddmm.m with a hemisphere, or no position at all", () => {
  const at = (lat: string, ns: string, lon: string, ew: string, alt = "545.4") => readPosition(lat, ns, lon, ew, alt);
  assert.deepEqual(at("4807.038", "N", "01131.000", "E"), { latDeg: 48 + 7.038 / 60, lonDeg: 11 + 31 / 60, altM: 545.4 });
  assert.deepEqual(at("4807", "S", "01131", "W", "-12"), { latDeg: -(48 + 7 / 60), lonDeg: -(11 + 31 / 60), altM: -12 });
  assert.deepEqual(at("4807.038", "N", "01131.000", "E", "5x"), { latDeg: 48 + 7.038 / 60, lonDeg: 11 + 31 / 60 }, "an unreadable altitude is left out");
  for (const [lat, lon] of [
    ["480.038", "01131.000"],
    ["4807.", "01131.000"],
    ["4860.000", "01131.000"],
    ["4807.038", "1131.000"],
    ["-4807.038", "01131.000"],
    ["", ""],
  ]) {
    assert.equal(at(lat!, "N", lon!, "E"), undefined, `${lat} ${lon}`);
  }
  assert.equal(at("4807.038", "X", "01131.000", "E"), undefined, "no hemisphere");
});

test("UBX nano below zero borrows from the second, across midnight too", () => {
  assert.deepEqual(ubxUtc(2026, 11, 21, 5, 6, 24, -192599), { date: { year: 2026, month: 11, day: 21 }, timeOfDay: { hour: 5, minute: 6, second: 23, micros: 999807 } });
  assert.deepEqual(ubxUtc(2027, 1, 1, 0, 0, 0, -1_000_000), { date: { year: 2026, month: 12, day: 31 }, timeOfDay: { hour: 23, minute: 59, second: 59, micros: 999000 } });
});

test("an RMC without time, or with status V, is reported as invalid rather than as 1970 or as a fix", () => {
  const empty = decodeNmea(withChecksum("$GPRMC,,V,,,,,,,,,,N"));
  assert.ok(empty.ok && empty.report.timeOfDay === undefined && empty.report.timeValid === false);
  const warn = decodeNmea(withChecksum("$GPRMC,120000.00,V,,,,,,,211126,,,N"));
  assert.ok(warn.ok && warn.report.timeValid === false);
});

test("one sample per epoch whatever the number of talkers reporting it", () => {
  const o = offlinePipeline();
  const T0 = Date.parse("2026-11-21T12:00:00Z") / 1000;
  for (let k = 0; k < 6; k++) {
    const d = new Date((T0 + k) * 1000);
    const hhmmss = d.toISOString().slice(11, 19).replace(/:/g, "") + ".00";
    const lines = ["GN", "GP", "GL"].map((t) => withChecksum(rmcBody(t, hhmmss, "211126")) + "\r\n").join("");
    o.pipeline.push(Buffer.from(lines), (T0 + k) * 1e6 + 120_000);
  }
  assert.deepEqual(
    o.sink.samples.map((s) => s.utcSecond),
    [T0 + 2, T0 + 3, T0 + 4, T0 + 5],
  );
});

test("GGA and GNS fix fields are read as the standard gives them; a quality or count that is not one refuses the sentence", () => {
  const gga = (quality: string, used: string): ReturnType<typeof decodeNmea> => decodeNmea(withChecksum(`$GPGGA,120000.00,4717.11399,N,00833.91590,E,${quality},${used},1.01,499.6,M,48.0,M,,`));
  const fix = (d: ReturnType<typeof decodeNmea>): unknown => (d.ok ? [d.report.fixMode, d.report.satellitesUsed] : d.reason);
  assert.deepEqual(fix(gga("1", "08")), ["3d", 8]);
  assert.deepEqual(fix(gga("6", "04")), ["dead-reckoning", 4]);
  assert.deepEqual(fix(gga("8", "12")), ["none", 12], "simulator mode is no fix");
  assert.deepEqual(fix(gga("0", "")), ["none", undefined]);
  assert.equal(fix(gga("9", "08")), "malformed-sentence");
  assert.equal(fix(gga("1", "x")), "malformed-sentence");
  const gns = (mode: string, used: string): ReturnType<typeof decodeNmea> => decodeNmea(withChecksum(`$GNGNS,120000.00,4717.11399,N,00833.91590,E,${mode},${used},0.9,499.6,48.0,,`));
  assert.deepEqual(fix(gns("AAN", "14")), ["3d", 14]);
  assert.deepEqual(fix(gns("NN", "00")), ["none", 0]);
  assert.equal(fix(gns("AA", "1.5")), "malformed-sentence");
  const gsa = decodeNmea(withChecksum("$GNGSA,A,2,05,13,,,,,,,,,,,2.1,1.9,0.9,1"));
  assert.ok(gsa.ok && gsa.report.fixMode === "2d", JSON.stringify(gsa));
  const rmcE = decodeNmea(withChecksum("$GPRMC,120000.00,A,4717.11,N,00833.91,E,0.0,,211126,,,E"));
  assert.ok(rmcE.ok && rmcE.report.timeValid === false && rmcE.report.fixMode === "dead-reckoning", JSON.stringify(rmcE));
});
