/*
 * The simulated box asked as its clients ask it: NTP requests (RFC 5905 mode
 * 3, sim/sntpClient.ts) to a real chronyd running the box's own generated
 * chrony.conf, fed by the real stratum1d from a replayed receiver and fake
 * kernel pulses. What is judged is what a client reads in the answers: leap
 * indicator, stratum, reference ID, root dispersion, the offset against this
 * machine's clock.
 *
 * One box tells the whole story, the receiver's turns decided as the answers
 * show them (never at guessed moments): a cold start, the pulse locked, the
 * receiver's fix lost (holdover), past the trust time, the fix back; rate
 * limiting is tried while it is locked. A second box, beside it, lives on
 * 2016-12-31 (libfaketime), the day of a leap second, with an NMEA-only
 * receiver held off after its cold start. holdover.trust is 64 s, chrony's
 * shortest (fallbackdrift 6 6), which chrony arms only after 2^7 s of sync.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { installedChronyFeatures } from "../../src/cli/ctl/installedChronyd.js";
import { answerTable, startServedBox, type Asked, type ServedBox } from "../support/servedBox.js";

/** chrony arms a fallback drift of 2^n s only after 2^(n+1) s of updates; a margin for the first update before the first answer we saw. */
const TRUST_S = 64;
const ARMED_AFTER_S = 2 * TRUST_S + 20;

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxy / sxx;
}

/** A synchronised stratum-1 answer on the pulse, with the leap indicator a client must see. */
const onPulse =
  (leap: 0 | 1) =>
  (a: Asked): boolean =>
    a.leap === leap && a.stratum === 1 && a.refid === "PPS";

/**
 * The box's clock against this machine's: both are this machine's clock (chronyd -x only corrects its
 * own view by the pulse's 1.5 µs), so the true offset is ~0 and what is measured can be off by at most
 * half the round trip, however loaded the machine. A wrong second or a stale clock would be far outside.
 */
function assertOffsetWithinRoundTrip(a: Asked): void {
  assert.ok(Math.abs(a.offsetS) <= a.delayS / 2 + 50e-6, `offset ${(a.offsetS * 1e6).toFixed(0)} µs with a round trip of ${(a.delayS * 1e6).toFixed(0)} µs`);
}

function show(box: ServedBox): string {
  const misses = box.misses.length ? `\nno answer: ${box.misses.map((m) => `${m.phase} at ${m.atS.toFixed(1)} s`).join(", ")}` : "";
  return `\n${answerTable(box.answers)}${misses}`;
}

/** The answers as a table in the test's output, a line each (the runner escapes newlines inside one). */
function report(t: TestContext, box: ServedBox, title: string): void {
  t.diagnostic(title);
  for (const line of answerTable(box.answers).split("\n")) t.diagnostic(line);
  for (const m of box.misses) t.diagnostic(`no answer: ${m.phase} at ${m.atS.toFixed(1)} s`);
}

describe("NTP clients of the simulated box", { concurrency: true }, () => {
  test("a client's story: unsynchronised at the cold start, stratum 1 on the pulse, holdover with a growing error bound, unsynchronised past the trust time, stratum 1 again", {
    timeout: 540_000,
  }, async (t) => {
    const box = await startServedBox({ settings: { "holdover.trust": String(TRUST_S) }, vouches: true, first: "cold" });
    try {
      const conf = readFileSync(box.chrony.confPath, "utf8");
      assert.match(conf, /^fallbackdrift 6 6$/m, "the trust time reaches chrony as the product writes it");
      assert.match(conf, /^maxclockerror 5$/m);

      // Cold start: the receiver has no time; chrony has no source and says so.
      box.phase = "cold";
      for (let i = 0; i < 3; i++) {
        await box.ask();
        await sleep(2000);
      }
      const cold = box.answers.filter((a) => a.phase === "cold");
      assert.ok(cold.length >= 2, `answered at the cold start${show(box)}`);
      for (const a of cold) {
        assert.equal(a.leap, 3, `unsynchronised at the cold start${show(box)}`);
        assert.notEqual(a.stratum, 1);
      }

      // The fix: the box labels the pulse, chrony selects it.
      box.receiver.set("fix");
      box.phase = "locking";
      const locked = await box.askUntil(onPulse(0), 120);
      assert.ok(locked, `stratum 1 on the pulse within 2 minutes of the fix${show(box)}`);
      const lockedAtS = locked.atS;
      box.phase = "locked";
      assertOffsetWithinRoundTrip(locked);
      assert.ok(locked.rootDispersionS < 1e-3, `root dispersion ${locked.rootDispersionS} s`);

      // Rate limiting, while locked: one client bursts, another asks at a normal pace from another address.
      const features = installedChronyFeatures(process.env);
      const [burst, other] = await Promise.all([box.askFrom("127.0.0.2", 200, 0, { timeoutMs: 1500 }), box.askFrom("127.0.0.3", 4, 500, { timeoutMs: 1500 })]);
      const kisses = burst.answers.filter((a) => a.kiss === "RATE").length;
      const served = burst.answers.filter((a) => a.kiss === null).length;
      t.diagnostic(
        `rate limit (chronyd ${features.version}): a burst of ${burst.sent} got ${served} answers and ${kisses} RATE kisses, ${burst.sent - served - kisses} dropped; the other client ${other.answers.length} of ${other.sent}`,
      );
      assert.ok(served >= 16, "the burst allowance (16) is answered");
      assert.ok(burst.sent - served >= burst.sent / 2, `most of a burst beyond its allowance is not served (${served} of ${burst.sent} were)`);
      if (features.ratelimitKod) assert.ok(kisses > 0, "chrony 4.6 with kod tells the client RATE");
      else assert.equal(kisses, 0, "this chronyd only drops");
      assert.equal(other.answers.length, other.sent, "the other client is answered every time");
      for (const a of other.answers) assert.ok(a.stratum === 1 && a.refid === "PPS" && a.leap === 0);

      // Locked long enough for chrony to arm its fallback (the trust time).
      while (box.clock.realtimeUs() / 1e6 - box.startS < lockedAtS + ARMED_AFTER_S) {
        await box.ask();
        await sleep(5000);
      }
      const lockedAnswers = box.answers.filter((a) => a.phase === "locked");
      for (const a of lockedAnswers) {
        assert.ok(onPulse(0)(a), `stratum 1, LI 0, PPS all the while${show(box)}`);
        assertOffsetWithinRoundTrip(a);
      }

      // The receiver loses its fix: no more pulses or samples. chrony holds over.
      const lostFrom = box.receiver.set("lost") - box.startS;
      box.phase = "holdover";
      const past = await box.askUntil((a) => a.leap === 3, 150, 3000);
      assert.ok(past, `unsynchronised within 150 s of the loss${show(box)}`);
      const holdover = box.answers.filter((a) => a.phase === "holdover" && a.leap === 0);
      for (const a of holdover) assert.ok(onPulse(0)(a), `still stratum 1 on the pulse's reference in holdover${show(box)}`);
      // After the last update (the pulse's last samples, up to two polls late) the bound grows at about maxclockerror.
      const growing = holdover.filter((a) => a.atS > lostFrom + 10).map((a) => [a.atS, a.rootDispersionS] as const);
      assert.ok(growing.length >= 5, `enough holdover answers to see the bound grow${show(box)}`);
      const rate = slope(growing);
      t.diagnostic(`holdover: LI 3 ${(past.atS - lostFrom).toFixed(1)} s after the loss; root dispersion grew ${(rate * 1e6).toFixed(2)} µs/s`);
      assert.ok(rate > 4e-6 && rate < 10e-6, `root dispersion grows at about maxclockerror 5 ppm: ${(rate * 1e6).toFixed(2)} µs/s${show(box)}`);
      assert.ok(past.atS - lostFrom > 40, `held over as stratum 1 for most of the trust time, not dropped at once${show(box)}`);
      assert.ok(
        holdover.some((a) => a.label.startsWith("HOLDOVER")),
        `the box itself says HOLDOVER meanwhile${show(box)}`,
      );

      box.phase = "past-trust";
      for (let i = 0; i < 2; i++) {
        await sleep(3000);
        const a = await box.ask();
        assert.ok(a && a.leap === 3 && a.stratum !== 1, `past the trust time: unsynchronised${show(box)}`);
      }

      // The fix comes back: stratum 1 again, on its own.
      const backFrom = box.receiver.set("fix") - box.startS;
      box.phase = "back";
      const back = await box.askUntil(onPulse(0), 120);
      assert.ok(back, `stratum 1 on the pulse again within 2 minutes${show(box)}`);
      assertOffsetWithinRoundTrip(back);
      t.diagnostic(`back: stratum 1 ${(back.atS - backFrom).toFixed(1)} s after the fix returned`);
      report(t, box, "answers (s since the receiver started, phase, what a client reads, the box's own panel label):");
    } finally {
      await box.close();
    }
  });

  test("a leap day (2016-12-31, from the leap second data chrony is given): LI 1 on stratum-1 answers; before, the NMEA receiver's UTC hold-off after its cold start: unsynchronised", {
    timeout: 300_000,
  }, async (t) => {
    // The box's clock at 2016-12-31 12:00 UTC, twelve hours before the leap second.
    const aheadS = Math.round(Date.UTC(2016, 11, 31, 12) / 1000 - Date.now() / 1000);
    const box = await startServedBox({
      settings: { "time.floor": "2016-06-01", "time.utc-holdoff": "20", "time.leap-list": "/usr/share/zoneinfo/leap-seconds.list" },
      vouches: false,
      first: "cold",
      aheadS,
    });
    try {
      box.phase = "cold";
      await sleep(6000);
      box.receiver.set("fix");
      // The box saw the receiver without a fix, and an NMEA receiver cannot say when its UTC is right: hold-off.
      box.phase = "utc-holdoff";
      let heldOff = 0;
      for (let i = 0; i < 40 && heldOff < 2; i++) {
        await sleep(1000);
        if (box.status()?.time.state !== "utc-holdoff") continue;
        const a = await box.ask();
        if (a && box.status()?.time.state === "utc-holdoff") {
          heldOff++;
          assert.equal(a.leap, 3, `unsynchronised during the hold-off${show(box)}`);
          assert.notEqual(a.stratum, 1);
        }
      }
      assert.equal(heldOff, 2, `answers during the hold-off${show(box)}`);

      box.phase = "syncing";
      const locked = await box.askUntil((a) => a.stratum === 1 && a.refid === "PPS", 120);
      assert.ok(locked, `stratum 1 on the pulse${show(box)}`);
      assert.equal(locked.leap, 1, `LI 1: a second is inserted at the end of the day${show(box)}`);
      assertOffsetWithinRoundTrip(locked);
      assert.equal(new Date(locked.transmitS! * 1000).toISOString().slice(0, 10), "2016-12-31", "the box's own date");
      box.phase = "leap-day";
      for (let i = 0; i < 3; i++) {
        await sleep(2000);
        const a = await box.ask();
        assert.ok(a && onPulse(1)(a), `LI 1 on every stratum-1 answer that day${show(box)}`);
      }
      // The box says so too (from its leap second list): the panel and stratum1ctl name the day.
      assert.deepEqual(box.status()?.leap.pending && { kind: box.status()!.leap.pending!.kind, day: box.status()!.leap.pending!.day }, { kind: "insert", day: "2016-12-31" });
      report(t, box, "answers (s since the receiver started, phase, what a client reads, the box's own panel label):");
    } finally {
      await box.close();
    }
  });
});
