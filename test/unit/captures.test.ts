/*
 * Every gpsd regression capture (shared/captures/gpsd/X.log) through the
 * product's real pipeline (framer, decoders, epoch assembler, time gate),
 * judged against what gpsd itself decoded from the same bytes (X.log.chk) and
 * against the capture's header date:
 *  - no input, however broken or foreign (SiRF, TSIP, gpsd JSON, UBX, NMEA),
 *    makes the pipeline throw, and the verdicts do not depend on read sizes;
 *  - the UTC seconds of our epochs (trusted or not) and gpsd's TPV seconds
 *    agree both ways, up to the exceptions listed below, each with its reason
 *    and a check that the reason really holds for this capture;
 *  - dates before the floor (header date − 30 days: GPS week rollover) give
 *    no sample and are refused for their date; no sample where gpsd saw no
 *    fix; samples flow where gpsd saw a run of fixes at a plausible date.
 * The replay is paced like a receiver: see replayThroughPipeline.
 */
import { FIRMWARE_FLOOR_DATE } from "../../src/config/schema.js";
import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { test } from "node:test";
import type { TimeOfDay } from "../../src/gnss/report.js";
import type { GateReject } from "../../src/timing/timeGate.js";
import { GPS_WEEK_ROLLOVER_S, isoSecond } from "../../src/timing/utc.js";
import { instantToUs } from "../../src/hal/instant.js";
import { captureNames, capturesDir, gpsdTpvs, headerDateS, pushRaw, readCaptureFile, replayThroughPipeline, ubxFacts, type JudgedEpoch, type ReplayResult } from "../support/chk.js";

const DAY_S = 86_400;
/** The time floor of a capture: its header date minus 30 days, so a capture is plausible at its own date. */
const FLOOR_MARGIN_S = 30 * DAY_S;
const SETTLE_EPOCHS = 3;
const DATE_REASONS: readonly GateReject[] = ["date-before-floor", "gps-week-rollover"];
/** Verdicts reached before the gate looks at the date: the receiver itself did not vouch for a time. */
const RECEIVER_DID_NOT_VOUCH: ReadonlySet<GateReject> = new Set(["no-date", "receiver-invalid", "no-fix", "leap-second"]);
/** gpsd's built-in GPS−UTC offset, used until a receiver tells it otherwise. */
const GPSD_DEFAULT_LEAP_S = 18;

/** Why a second gpsd reports may be missing from ours; each is checked against the capture, not taken on trust. */
type GpsdOnlyWhy =
  /** gpsd dated the epoch with a date the receiver did not send in it; our epoch at that time of day has no date or its own. */
  | "gpsd-borrowed-date"
  /** gpsd took the time from a NAV-SOL (GPS week + iTOW) whose epoch has no NAV-PVT/TIMEUTC/TIMEGPS, the product's UTC sources. */
  | "nav-sol-only"
  /** gpsd converted a NAV-SOL with its default leap seconds before the receiver's own count arrived; ours uses the receiver's. */
  | "gpsd-assumed-leap";

interface CaptureException {
  /** A protocol the product does not decode: the pipeline must find no epoch and no sample in it. */
  unsupported?: string;
  /** gpsd printed every time this much later than the receiver's own date: compared after taking it off. */
  gpsdShift?: { byS: number; reason: string };
  gpsdOnly?: Array<{ time: string; why: GpsdOnlyWhy; reason: string }>;
}

const EXCEPTIONS: Record<string, CaptureException> = {
  "bu303-nofix.log": { unsupported: "SiRF binary protocol (gpsd's sirf driver); the product reads NMEA and UBX only" },
  "trimble-res720.log": { unsupported: "Trimble TSIP v1 binary after three gpsd JSON lines; the product reads NMEA and UBX only" },
  "neo-m8n.log": {
    gpsdShift: {
      byS: GPS_WEEK_ROLLOVER_S,
      reason: "the receiver's RMC dates say 18-03-15 (header: 2015-03-18); gpsd printed 2034-11-01, exactly 1024 weeks on: gpsd's own rollover guess",
    },
  },
  "ublox-lea-5h.log": {
    gpsdOnly: [
      {
        time: "2010-08-21T08:55:15Z",
        why: "gpsd-borrowed-date",
        reason:
          "the log jumps from 08:37:36 to 08:55:15 and that burst has GGA and GLL but no RMC: gpsd dates it with the RMC date seen 18 minutes before; the product never lends a date to GGA (judged no-date)",
      },
    ],
  },
  "gp-320fw-2019-04-07-coldboot.log": {
    gpsdOnly: [
      {
        time: "2019-04-07T00:04:27Z",
        why: "gpsd-borrowed-date",
        reason:
          "after the reboot, 00:04:27 comes with ZDA 22,08,1999 and a corrupted RMC: gpsd kept the 2019-04-07 of before the reboot, the product dates the epoch from its own ZDA (1999-08-22T00:04:27)",
      },
    ],
  },
  "ublox-8-time.log": {
    gpsdOnly: [
      {
        time: "2017-12-01T17:24:05Z",
        why: "nav-sol-only",
        reason: "the log ends with that epoch's NAV-SOL, its NAV-TIMEGPS cut off: gpsd derives UTC from NAV-SOL's week and iTOW, the product only from NAV-PVT/TIMEUTC/TIMEGPS",
      },
    ],
  },
  "ublox-lea-4t.log": {
    gpsdOnly: [
      {
        time: "2009-01-28T20:35:40Z",
        why: "gpsd-assumed-leap",
        reason:
          "gpsd's first fix is NAV-SOL converted with its default 18 leap seconds; the receiver's NAV-TIMEGPS says 15 (right for 2009) and NAV-TIMEUTC 20:35:43.001, our epoch; gpsd's next TPV (leapseconds 15) is 20:35:44, as ours",
      },
    ],
  },
};

/**
 * The UTC second of a time given in µs, as gpsd would print it: gpsd prints
 * milliseconds, so a u-blox time of …:24.999807 (a −193 µs clock bias) is
 * its "…:25.000Z". Rounding to the millisecond first compares like with like.
 */
const secondOfUs = (utcUs: number): number => Math.floor(Math.round(utcUs / 1000) / 1000);
const todSecond = (t: TimeOfDay): number => (t.hour * 60 + t.minute) * 60 + Math.min(t.second, 59);
const modDay = (s: number): number => ((s % DAY_S) + DAY_S) % DAY_S;

interface Loaded {
  name: string;
  capture: Buffer;
  headerS: number;
  floorS: number;
  replay: ReplayResult;
  /** gpsd's TPV seconds (after any listed shift) → the best fix mode gpsd reported in that second. */
  gpsd: Map<number, number>;
  /** Our epochs' seconds → the epochs (every epoch with a date, whatever its verdict). */
  ours: Map<number, JudgedEpoch[]>;
}

function load(name: string): Loaded {
  const capture = readCaptureFile(name);
  const chk = readCaptureFile(`${name}.chk`).toString("utf8");
  const headerS = headerDateS(capture);
  const floorS = headerS - FLOOR_MARGIN_S;
  // The local clock of the replay starts at the header date: the host clock the gate names a rollover against.
  const replay = replayThroughPipeline(capture, { floorS, startUs: headerS * 1e6, chunkBytes: 61 });
  const shift = EXCEPTIONS[name]?.gpsdShift?.byS ?? 0;
  const gpsd = new Map<number, number>();
  for (const tpv of gpsdTpvs(chk)) gpsd.set(tpv.second - shift, Math.max(gpsd.get(tpv.second - shift) ?? 0, tpv.mode));
  const ours = new Map<number, JudgedEpoch[]>();
  for (const j of replay.judged) {
    if (j.utcUs === undefined) continue;
    const s = secondOfUs(j.utcUs);
    ours.set(s, [...(ours.get(s) ?? []), j]);
  }
  return { name, capture, headerS, floorS, replay, gpsd, ours };
}

const reasonOf = (j: JudgedEpoch): GateReject | "ok" => (j.verdict.ok ? "ok" : j.verdict.reason);
const iso = (s: number): string => isoSecond(s);

/** Asserts that the stated reason for a gpsd-only second holds in this capture. */
function checkGpsdOnly(c: Loaded, s: number, why: GpsdOnlyWhy): void {
  const at = iso(s);
  switch (why) {
    case "gpsd-borrowed-date": {
      const sameTod = c.replay.judged.filter((j) => j.epoch.timeOfDay && todSecond(j.epoch.timeOfDay) === modDay(s));
      assert.ok(sameTod.length > 0, `${at}: no epoch of ours has that time of day, so gpsd did not merely borrow a date`);
      for (const j of sameTod) {
        assert.ok(j.utcUs === undefined || secondOfUs(j.utcUs) !== s, `${at}: our epoch at that time of day carries gpsd's date after all`);
      }
      return;
    }
    case "nav-sol-only":
    case "gpsd-assumed-leap": {
      const facts = ubxFacts(c.capture);
      assert.ok(facts.leapS !== undefined, `${at}: the capture has no valid NAV-TIMEGPS leap count`);
      const leap = why === "nav-sol-only" ? facts.leapS : GPSD_DEFAULT_LEAP_S;
      const sols = [...facts.solGpsS].filter(([, gpsS]) => secondOfUs((gpsS - leap) * 1e6) === s);
      assert.ok(sols.length > 0, `${at}: no NAV-SOL gives that second with ${leap} leap seconds`);
      if (why === "nav-sol-only") {
        for (const [tow] of sols) assert.ok(!facts.utcTows.has(tow), `${at}: iTOW ${tow} also has a NAV-PVT/TIMEUTC/TIMEGPS, so the product should have its time`);
      } else {
        assert.notEqual(facts.leapS, GPSD_DEFAULT_LEAP_S, `${at}: the receiver's leap count is gpsd's default, so that is not the reason`);
        for (const [, gpsS] of sols) {
          const right = secondOfUs((gpsS - facts.leapS) * 1e6);
          assert.ok(c.ours.has(right), `${at}: with the receiver's ${facts.leapS} leap seconds that NAV-SOL is ${iso(right)}, which we lack`);
        }
      }
      return;
    }
  }
}

/** Runs of consecutive gpsd seconds with a fix (mode ≥ 2) at a date the gate finds plausible. */
function longestFixRun(c: Loaded): number {
  const ok = [...c.gpsd]
    .filter(([s, mode]) => mode >= 2 && s >= c.floorS && s <= c.floorS + GPS_WEEK_ROLLOVER_S)
    .map(([s]) => s)
    .sort((a, b) => a - b);
  let best = 0;
  let run = 0;
  for (let i = 0; i < ok.length; i++) {
    run = i > 0 && ok[i] === ok[i - 1]! + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

test("the capture folder is found and every capture has gpsd's .chk beside it", () => {
  const dir = capturesDir();
  assert.ok(dir.endsWith(join("shared", "captures", "gpsd")), dir);
  const names = captureNames();
  assert.ok(names.length >= 20, `only ${names.length} captures in ${dir}`);
  for (const n of names) assert.ok(existsSync(join(dir, `${n}.chk`)), `${n} has no .chk`);
  for (const n of Object.keys(EXCEPTIONS)) assert.ok(names.includes(n), `exception listed for ${n}, which is not in ${dir}`);
});

for (const name of captureNames()) {
  const exception = EXCEPTIONS[name] ?? {};
  test(name, async (t) => {
    const c = load(name);
    const r = c.replay;
    const samples = r.samples.length;
    const matched = [...c.gpsd.keys()].filter((s) => c.ours.has(s)).length;
    t.diagnostic(
      `header ${iso(c.headerS).slice(0, 10)}, floor ${iso(c.floorS).slice(0, 10)}; ${r.bursts} bursts at ${r.intervalUs / 1e6} s; ` +
        `${r.judged.length} epochs judged, ${c.ours.size} dated seconds; gpsd ${c.gpsd.size} seconds; matched ${matched}; ${samples} samples; ` +
        `verdicts ${JSON.stringify(r.health.gate)}`,
    );

    await t.test("survives the raw file (comments, noise, foreign protocols) in reads of 1, 7 and 4096 bytes", () => {
      for (const chunkBytes of [1, 7, 4096]) {
        const health = pushRaw(c.capture, { floorS: c.floorS, startUs: c.headerS * 1e6, chunkBytes });
        assert.equal(health.counts.bytes, c.capture.length, `every byte counted (reads of ${chunkBytes})`);
      }
    });

    await t.test("the verdicts do not depend on how the bytes are split into reads", () => {
      const key = (res: ReplayResult): string[] => res.judged.map((j) => `${j.burst} ${reasonOf(j)} ${j.utcUs ?? "-"}`);
      const expected = key(r);
      for (const chunkBytes of [1, 1 << 20]) {
        const other = replayThroughPipeline(c.capture, { floorS: c.floorS, startUs: c.headerS * 1e6, chunkBytes });
        assert.deepEqual(key(other), expected, `reads of ${chunkBytes} bytes vs 61`);
        assert.equal(other.samples.length, samples);
      }
    });

    if (exception.unsupported !== undefined) {
      const protocol = exception.unsupported;
      await t.test(`yields nothing from ${protocol}`, () => {
        assert.ok(c.gpsd.size > 0, "gpsd decoded times from it (else this exception is moot)");
        assert.equal(r.judged.length, 0, `epochs found in ${protocol}`);
        assert.equal(samples, 0);
        assert.equal(r.health.counts.reports, 0, "no report decoded");
        const dropped = Object.values(r.health.framing).reduce((a, b) => a + (b ?? 0), 0);
        assert.ok(dropped > 0, "the foreign bytes were counted as dropped input");
      });
      return;
    }

    await t.test("every second gpsd decoded is one of ours (listed exceptions checked)", () => {
      const allowed = new Map((exception.gpsdOnly ?? []).map((e) => [Date.parse(e.time) / 1000, e]));
      for (const [s] of allowed) assert.ok(c.gpsd.has(s) && !c.ours.has(s), `exception ${iso(s)} no longer applies: update the list`);
      const missing = [...c.gpsd.keys()].filter((s) => !c.ours.has(s) && !allowed.has(s)).sort((a, b) => a - b);
      assert.deepEqual(missing.map(iso), [], "gpsd seconds we never decoded");
      for (const [s, e] of allowed) checkGpsdOnly(c, s, e.why);
      if (exception.gpsdShift) assert.ok(matched > 0, "after the listed shift gpsd's seconds are ours");
    });

    await t.test("every second of ours the receiver vouched for is gpsd's or inside gpsd's reporting span", () => {
      // gpsd reports one TPV per reporting cycle it detects, not per navigation epoch: it skips the first
      // epoch and epochs whose message set differs (ublox-lea-m8f: bursts with NAV-PVT alone), so within
      // its span an epoch may be ours only. Outside the span, or where the receiver vouched for the time
      // while gpsd saw nothing near it, our second would be wrong.
      const gpsdSeconds = [...c.gpsd.keys()];
      const lo = Math.min(...gpsdSeconds) - 1;
      const hi = Math.max(...gpsdSeconds) + 1;
      const stray: string[] = [];
      for (const [s, epochs] of c.ours) {
        if (c.gpsd.has(s)) continue;
        const vouched = epochs.filter((j) => j.verdict.ok || !RECEIVER_DID_NOT_VOUCH.has(j.verdict.reason));
        if (vouched.length > 0 && (s < lo || s > hi)) stray.push(`${iso(s)} (${vouched.map(reasonOf).join(",")})`);
      }
      assert.deepEqual(stray, [], `seconds of ours outside gpsd's ${iso(lo + 1)}..${iso(hi - 1)}`);
    });

    await t.test("no sample before the floor, refused for its date; no sample where gpsd saw no fix", () => {
      for (const j of r.judged) {
        if (j.utcUs === undefined || j.utcUs >= c.floorS * 1e6) continue;
        const reason = reasonOf(j);
        assert.notEqual(reason, "ok", `sample at ${iso(secondOfUs(j.utcUs))}, before the floor`);
        if (!RECEIVER_DID_NOT_VOUCH.has(reason as GateReject)) {
          assert.ok(DATE_REASONS.includes(reason as GateReject), `${iso(secondOfUs(j.utcUs))} refused as ${reason}, not for its date`);
        }
      }
      const fixedBeforeFloor = [...c.gpsd].filter(([s, mode]) => mode >= 2 && s < c.floorS);
      if (fixedBeforeFloor.length > 0) {
        // gpsd saw fixes dated before the floor (week rollover): we must name the date as the reason.
        const counted = DATE_REASONS.reduce((n, reason) => n + (r.health.gate[reason] ?? 0), 0);
        assert.ok(counted >= 1, `gpsd shows fixes at ${fixedBeforeFloor.map(([s]) => iso(s)).join(", ")}; gate counted ${JSON.stringify(r.health.gate)}`);
        for (const [s] of fixedBeforeFloor) {
          const reasons = (c.ours.get(s) ?? []).map(reasonOf);
          assert.ok(
            reasons.some((x) => DATE_REASONS.includes(x as GateReject)),
            `${iso(s)}: ${reasons.join(",") || "no epoch"}`,
          );
        }
      }
      for (const sample of r.samples) {
        const mode = c.gpsd.get(sample.utcSecond);
        assert.ok(mode === undefined || mode >= 2, `sample at ${iso(sample.utcSecond)} where gpsd reports no fix (mode ${mode})`);
      }
    });

    await t.test("samples flow exactly when gpsd saw a run of fixes at a plausible date", () => {
      const run = longestFixRun(c);
      if (run >= SETTLE_EPOCHS) assert.ok(samples > 0, `gpsd has ${run} consecutive fixed seconds; verdicts ${JSON.stringify(r.health.gate)}`);
      else assert.equal(samples, 0, `gpsd has at most ${run} consecutive fixed seconds at a plausible date`);
      let prev = -Infinity;
      for (const sample of r.samples) {
        assert.ok(sample.utcSecond > prev, `samples out of order at ${iso(sample.utcSecond)}`);
        prev = sample.utcSecond;
        const epoch = r.judged.find((j) => j.verdict.ok && j.verdict.sample === sample);
        assert.ok(epoch?.utcUs !== undefined, "every sample comes from a judged epoch");
        assert.equal(instantToUs(sample.reference), epoch.utcUs, "labelled with its epoch's date and time");
        assert.equal(instantToUs(sample.local), epoch.epoch.startRxUs, "stamped with its epoch's first byte");
      }
    });

    await t.test("all dated epochs of one receiver burst name the same second", () => {
      // The receiver sends one navigation epoch per burst, whichever messages carry it (NMEA and UBX,
      // PVT and TIMEGPS): two different seconds in one burst mean one decoder mislabels the time.
      const seconds = new Map<number, Set<number>>();
      for (const j of r.judged) {
        if (j.utcUs === undefined) continue;
        seconds.set(j.burst, (seconds.get(j.burst) ?? new Set()).add(secondOfUs(j.utcUs)));
      }
      const mixed = [...seconds].filter(([, set]) => set.size > 1).map(([b, set]) => `burst ${b}: ${[...set].map(iso).join(" / ")}`);
      assert.deepEqual(mixed, []);
    });

    await t.test("one verdict per receiver burst", () => {
      const perBurst = new Map<number, JudgedEpoch[]>();
      for (const j of r.judged) perBurst.set(j.burst, [...(perBurst.get(j.burst) ?? []), j]);
      const split = [...perBurst.values()].filter((js) => js.length > 1);
      assert.deepEqual(
        split.slice(0, 3).map((js) => js.map((j) => `${reasonOf(j)} ${j.utcUs !== undefined ? new Date(j.utcUs / 1000).toISOString() : "-"} ${j.epoch.sources[0]}`)),
        [],
        `${split.length} of ${perBurst.size} bursts were judged as several epochs`,
      );
    });
  });
}

test("with the shipped configuration, neither rollover capture yields a sample", () => {
  const floorS = Date.parse(`${FIRMWARE_FLOOR_DATE}T00:00:00Z`) / 1000;
  for (const name of ["april6_2019.log", "gp-320fw-2019-04-06-overflow.log"]) {
    const r = replayThroughPipeline(readCaptureFile(name), { floorS, startUs: Date.parse("2026-11-21T00:00:00Z") * 1000, chunkBytes: 61 });
    assert.equal(r.samples.length, 0, `${name}: ${r.samples.length} samples reached the sinks`);
    const dateRejects = (r.health.gate["date-before-floor"] ?? 0) + (r.health.gate["gps-week-rollover"] ?? 0);
    assert.ok(dateRejects > 0, `${name}: refused for its date (${JSON.stringify(r.health.gate)})`);
  }
});

test("a receiver date exactly 1024 weeks behind a correct host clock is named a GPS week rollover", () => {
  // april6_2019: a Telit HE910 reporting 1999-08-22 00:02:31 on 2019-04-07 00:02:31 (1024 weeks later).
  const hostUs = Date.parse("2019-04-07T00:02:31Z") * 1000;
  const r = replayThroughPipeline(readCaptureFile("april6_2019.log"), { floorS: Date.parse("2019-01-01T00:00:00Z") / 1000, startUs: hostUs, chunkBytes: 61 });
  assert.equal(r.samples.length, 0);
  assert.ok((r.health.gate["gps-week-rollover"] ?? 0) >= 1, JSON.stringify(r.health.gate));
  assert.ok(
    r.log.some((l) => /1024 weeks behind the host clock/.test(l)),
    r.log.join("\n"),
  );
});
