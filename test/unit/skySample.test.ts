/* The sky table sampled every fifth second: the GSV between samples are checked and counted, not decoded; a run is never cut. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { SKY_SAMPLE_US } from "../../src/gnss/skySampler.js";
import { SkyViewCache, skyView } from "../../src/gnss/skyView.js";
import { offlinePipeline } from "../support/offline.js";

const line = (body: string): Buffer => Buffer.from(withChecksum(body) + "\r\n");
const S = 1_000_000;

/** One second's burst as a u-blox sends it: time first, then the sky in two GPS messages and one GLONASS, 40 ms apart. */
function second(o: ReturnType<typeof offlinePipeline>, n: number, cno: number): void {
  const t = `1200${String(n).padStart(2, "0")}.00`;
  const at = (k: number): number => n * S + 120_000 + k * 40_000;
  o.pipeline.push(line(`$GNRMC,${t},A,4404.13910,N,12118.85369,W,0.0,,011226,,,A`), at(0));
  o.pipeline.push(line(`$GNGGA,${t},4404.13910,N,12118.85369,W,1,08,1.0,100.0,M,0.0,M,,`), at(1));
  o.pipeline.push(line(`$GPGSV,2,1,05,01,10,100,${cno},02,20,200,31,03,30,300,32,04,40,40,33`), at(2));
  o.pipeline.push(line("$GPGSV,2,2,05,05,50,50,34"), at(3));
  o.pipeline.push(line(`$GLGSV,1,1,01,70,60,60,${cno}`), at(4));
}

test("with sampling, the sky table is taken in one burst of five; every GSV is still counted", () => {
  const o = offlinePipeline("2010-01-01", 3, () => 0, { skySampleUs: SKY_SAMPLE_US });
  const tableAt: number[] = [];
  for (let n = 0; n < 12; n++) {
    second(o, n, 20 + n);
    o.pipeline.idle(n * S + 900_000, 500_000);
    tableAt.push(o.health.sky?.atUs ?? -1);
  }
  // Sampled in seconds 0, 5 and 10: the table's time and its GPS 01 C/N0 say so.
  assert.deepEqual(
    tableAt.map((us) => Math.floor(us / S)),
    [0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10],
  );
  assert.equal(o.health.sky?.satellites.find((x) => x.id === 1)?.cnoDbHz, 30);
  // Both constellations, both GPS messages: the run was taken whole.
  assert.deepEqual(o.health.sky?.satellites.map((x) => `${x.system} ${x.id}`).sort(), ["GLONASS 70", "GPS 1", "GPS 2", "GPS 3", "GPS 4", "GPS 5"]);
  assert.equal(o.health.counts.nmeaSentences, 12 * 5);
});

test("a GSV with a bad checksum between samples is still counted as one", () => {
  const o = offlinePipeline("2010-01-01", 3, () => 0, { skySampleUs: SKY_SAMPLE_US });
  second(o, 0, 30);
  o.pipeline.push(Buffer.from("$GPGSV,1,1,01,07,45,123,30*00\r\n"), 1 * S + 120_000);
  assert.equal(o.health.decode["bad-checksum"], 1);
  // Malformed fields go unread between samples: not counted until a sampled burst has them.
  o.pipeline.push(line("$GPGSV,1,1,01,07,4x,123,30"), 1 * S + 160_000);
  assert.equal(o.health.decode["malformed-sentence"] ?? 0, 0);
  o.pipeline.push(line("$GPGSV,1,1,01,07,4x,123,30"), 6 * S);
  assert.equal(o.health.decode["malformed-sentence"], 1);
});

test("without sampling (the default) every GSV is decoded", () => {
  const o = offlinePipeline("2010-01-01", 3, () => 0);
  for (let n = 0; n < 3; n++) {
    second(o, n, 20 + n);
    o.pipeline.idle(n * S + 900_000, 500_000);
  }
  assert.equal(Math.floor((o.health.sky?.atUs ?? 0) / S), 2);
});

test("the sky view cache makes the rows again only when the table or the used lists change", () => {
  const reports = [
    { system: "GPS" as const, id: 3, elevationDeg: 10, azimuthDeg: 100, cnoDbHz: 30 },
    { system: "GPS" as const, id: 1, elevationDeg: 20, azimuthDeg: 200, cnoDbHz: 40 },
  ];
  const cache = new SkyViewCache();
  const a = cache.get(reports, [{ system: "GPS", ids: [1] }]);
  assert.deepEqual(a, skyView(reports, [{ system: "GPS", ids: [1] }]));
  assert.equal(cache.get(reports, [{ system: "GPS", ids: [1] }]), a, "the same lists anew: the same rows");
  const b = cache.get(reports, [{ system: "GPS", ids: [1, 3] }]);
  assert.deepEqual(
    b.map((x) => x.used),
    [true, true],
  );
  assert.notEqual(cache.get([...reports], [{ system: "GPS", ids: [1, 3] }]), b, "another table");
});

test("GSV that never pause (bursts run into each other) are still sampled, a second at a time", () => {
  const o = offlinePipeline("2010-01-01", 3, () => 0, { skySampleUs: SKY_SAMPLE_US });
  let decodedAt = -1;
  // The sky once (sampled), then from the next second a GPS group every 200 ms for 11 s: never a gap of
  // the epoch's quiet gap between two GSV, in a run that began between samples.
  o.pipeline.push(line("$GPGSV,1,1,01,07,45,123,10"), 0);
  o.pipeline.idle(150_000, 100_000);
  for (let us = S; us < 12 * S; us += 200_000) {
    o.pipeline.push(line(`$GPGSV,1,1,01,07,45,123,${10 + Math.floor(us / S)}`), us);
    o.pipeline.idle(us + 150_000, 100_000);
    const cno = o.health.sky?.satellites[0]?.cnoDbHz;
    if (cno !== undefined && cno !== null) decodedAt = cno - 10;
  }
  assert.ok(decodedAt >= 10, `the table last taken in second ${decodedAt} of 12`);
});

/** A 9600-baud second as a u-blox M8 sends it: RMC, VTG, GGA, GSA, seven GSV (half a second of line), GLL; each line stamped when its last byte is in. */
function slowSecond(o: ReturnType<typeof offlinePipeline>, n: number): void {
  const t = `1200${String(n).padStart(2, "0")}.00`;
  const sats = (from: number): string => [0, 1, 2, 3].map((k) => `${from + k},${20 + k},${100 + k},${30 + k}`).join(",");
  const lines = [
    `$GNRMC,${t},A,4404.13910,N,12118.85369,W,0.0,,011226,,,A`,
    "$GNVTG,,T,,M,0.0,N,0.0,K,A",
    `$GNGGA,${t},4404.13910,N,12118.85369,W,1,08,1.0,100.0,M,0.0,M,,`,
    "$GNGSA,A,3,01,02,03,04,05,06,07,08,,,,,1.5,1.0,1.1",
    ...[1, 2, 3, 4].map((m) => `$GPGSV,4,${m},16,${sats(m * 4 - 3)}`),
    ...[1, 2, 3].map((m) => `$GLGSV,3,${m},12,${sats(60 + m * 4)}`),
    `$GNGLL,4404.13910,N,12118.85369,W,${t},A,A`,
  ];
  let us = n * S + 50_000;
  for (const l of lines) {
    const bytes = line(l);
    us += Math.round((bytes.length * 10 * S) / 9600);
    o.pipeline.push(bytes, us);
  }
}

test("at 9600 baud the epochs, verdicts and samples are the same with the sky sampled as with every GSV decoded", () => {
  const run = (skySampleUs: number) => {
    const o = offlinePipeline("2010-01-01", 3, () => 0, { skySampleUs });
    for (let n = 0; n < 12; n++) {
      slowSecond(o, n);
      o.pipeline.idle(n * S + 990_000, 500_000);
    }
    o.pipeline.idle(13 * S, 500_000);
    return o;
  };
  const every = run(0);
  const sampled = run(SKY_SAMPLE_US);
  // The GSV take 0.5 s of line here: an unsampled GSV that did not count as part of the burst would leave
  // the GLL after a quiet gap, an epoch of its own.
  assert.equal(sampled.health.counts.epochs, 12);
  assert.equal(sampled.health.counts.epochs, every.health.counts.epochs);
  assert.deepEqual(sampled.verdicts, every.verdicts);
  assert.deepEqual(sampled.sink.samples, every.sink.samples);
  assert.equal(sampled.health.counts.reports, every.health.counts.reports);
  assert.equal(sampled.health.sky?.satellites.length, 28);
});
