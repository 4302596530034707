/*
 * The gate's verdict on one check, threshold by threshold, at the defaults
 * stratum1.conf documents: what a healthy stratum 1 and a healthy stratum 2
 * look like, and each way to be degraded or bad, with the reason a person
 * reads in the log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaults } from "../../src/config/schema.js";
import { gateSettings } from "../../src/fleet/gateSettings.js";
import { judge, type CheckFacts, type TrackingFacts } from "../../src/fleet/healthVerdict.js";

const th = gateSettings(defaults()).thresholds;

const pps: TrackingFacts = { leap: "normal", stratum: 1, refName: "PPS", systemOffsetS: 2e-7, rootDelayS: 0, rootDispersionS: 2e-5, sinceUpdateS: 4 };
const vm: TrackingFacts = { leap: "normal", stratum: 2, refName: "192.0.2.7", systemOffsetS: 4e-4, rootDelayS: 0.03, rootDispersionS: 0.004, sinceUpdateS: 700 };

const facts = (t: Partial<TrackingFacts>, box: CheckFacts["box"] = null, base = pps): CheckFacts => ({ chrony: { reachable: true, tracking: { ...base, ...t } }, box });

test("a box on its pulse and a stratum-2 VM on the internet are both healthy", () => {
  assert.deepEqual(judge(facts({}), th), { level: "healthy", findings: [] });
  assert.deepEqual(judge(facts({}, null, vm), th), { level: "healthy", findings: [] });
});

test("the defaults are the documented ones: 75 ms, 1 s of root distance, stratum 8; degraded at 10 ms, 100 ms, stratum 5", () => {
  assert.deepEqual(th, { badOffsetS: 0.075, badDistanceS: 1, badStratum: 8, badAgeS: 4096, degradedOffsetS: 0.01, degradedDistanceS: 0.1, degradedStratum: 5 });
});

test("each way to be bad, with its reason", () => {
  const cases: Array<[Partial<TrackingFacts>, string, RegExp]> = [
    [{ leap: "unsynchronised", stratum: 0 }, "unsynchronised", /not synchronised/],
    [{ systemOffsetS: -0.08 }, "offset", /80 ms from chrony's reference, past 75 ms/],
    [{ rootDelayS: 0.4, rootDispersionS: 0.81 }, "distance", /root distance 1010 ms is past 1000 ms/],
    [{ stratum: 8 }, "stratum", /stratum 8 .* past 8/],
    [{ sinceUpdateS: 5000 }, "no-update", /5000 s ago, past 4096 s/],
  ];
  for (const [t, code, reason] of cases) {
    const v = judge(facts(t), th);
    assert.equal(v.level, "bad", code);
    assert.equal(v.findings[0]?.code, code);
    assert.match(v.findings[0]?.reason ?? "", reason);
  }
  const down = judge({ chrony: { reachable: false, error: "ECONNREFUSED" }, box: null }, th);
  assert.equal(down.level, "bad");
  assert.match(down.findings[0]?.reason ?? "", /chronyd does not answer \(ECONNREFUSED\)/);
});

test("just inside a bad limit is degraded, not bad; just inside a degraded limit is healthy", () => {
  assert.equal(judge(facts({ systemOffsetS: 0.074 }), th).level, "degraded");
  assert.equal(judge(facts({ systemOffsetS: 0.0099 }), th).level, "healthy");
  assert.equal(judge(facts({ rootDelayS: 0, rootDispersionS: 0.99 }), th).level, "degraded");
  assert.equal(judge(facts({ rootDelayS: 0.2, rootDispersionS: 0.006 }), th).level, "degraded");
  assert.equal(judge(facts({ stratum: 7 }), th).level, "degraded");
  assert.equal(judge(facts({ stratum: 4 }), th).level, "healthy");
});

test("the receiver's alarms degrade a box but never make it bad; chrony's own alarms, a pending leap and the leap list are not the receiver's", () => {
  const noPps = judge(facts({}, { fresh: true, alarms: [{ id: "no-pps", detail: "no pulse for 12 s" }] }), th);
  assert.equal(noPps.level, "degraded");
  assert.deepEqual(noPps.findings[0], { level: "degraded", code: "receiver:no-pps", reason: "no pulse for 12 s" });
  // The receiver's time in doubt: a spoofer, the pulse against the network, a jammer.
  for (const id of ["spoofing", "gnss-disagrees", "jamming"]) assert.equal(judge(facts({}, { fresh: true, alarms: [{ id, detail: id }] }), th).level, "degraded", id);
  const ignored = judge(
    facts(
      {},
      {
        fresh: true,
        alarms: [
          { id: "leap-pending", detail: "leap" },
          { id: "chrony-unsynchronised", detail: "x" },
          { id: "leap-list", detail: "leap second list expired" },
        ],
      },
    ),
    th,
  );
  assert.equal(ignored.level, "healthy");
  const stale = judge(facts({}, { fresh: false, why: "stratum1d's status is 30 s old" }), th);
  assert.equal(stale.level, "degraded");
  assert.match(stale.findings[0]?.reason ?? "", /30 s old/);
});

test("bad findings come before degraded ones: the headline is the worst", () => {
  const v = judge(facts({ leap: "normal", systemOffsetS: 0.02, stratum: 9 }, { fresh: true, alarms: [{ id: "no-fix", detail: "no fix" }] }), th);
  assert.equal(v.level, "bad");
  assert.deepEqual(
    v.findings.map((f) => f.code),
    ["stratum", "offset", "receiver:no-fix"],
  );
});
