/*
 * Leap seconds: the receiver's announcement (UBX-NAV-TIMELS) becomes the
 * leap flag on the samples of the last UTC day only; the leap second list
 * (tzdata's leap-seconds.list) is read, and the status says when it has
 * expired or disagrees with the receiver, and tells of a leap second the
 * list has within the month.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DEFAULT_SKY, type SkyState } from "../../sim/receivers/skyState.js";
import { navTimeLs } from "../../sim/receivers/ubxMessages.js";
import type { LeapSecondReport } from "../../src/gnss/receiverReports.js";
import { decodeNavTimeLs } from "../../src/gnss/ubx/navTimeLs.js";
import type { LeapListFile } from "../../src/timing/leapListFile.js";
import { gpsMinusUtcAt, parseLeapSecondList, type LeapSecondList } from "../../src/timing/leapSecondList.js";
import { LeapStatusCache, leapStatus } from "../../src/timing/leapStatus.js";
import { LeapWatch } from "../../src/timing/leapWatch.js";

const NTP = 2_208_988_800;
const at = (iso: string): number => Date.parse(iso) / 1000;

/** A list in tzdata's format: the last three leap seconds, valid until `expires`. */
function listText(expires: string, extra: string[] = []): string {
  return [
    "#\tleap-seconds.list, shortened",
    `#@\t${at(expires) + NTP}`,
    `${at("2012-07-01T00:00:00Z") + NTP}\t35\t# 1 Jul 2012`,
    `${at("2015-07-01T00:00:00Z") + NTP}\t36\t# 1 Jul 2015`,
    `${at("2017-01-01T00:00:00Z") + NTP}\t37\t# 1 Jan 2017`,
    ...extra,
    "",
  ].join("\n");
}

function parsed(text: string): LeapSecondList {
  const l = parseLeapSecondList(text);
  assert.ok(!("problem" in l), JSON.stringify(l));
  return l;
}

const file = (list: LeapSecondList | undefined, problem: string | null = null): LeapListFile => ({ path: "/usr/share/zoneinfo/leap-seconds.list", list, problem }) as LeapListFile;

/** The leap-second part of a NAV-TIMELS as the simulated u-blox prints it at `utcSecond`. */
function heard(utcSecond: number, sky: Partial<SkyState>): LeapSecondReport {
  const d = decodeNavTimeLs(navTimeLs({ utcSecond, sky: { ...DEFAULT_SKY, ...sky }, fixType: 3 }));
  assert.equal(d.ok, true);
  const r = d.ok ? d.report.leapSecond : undefined;
  assert.ok(r, "a NAV-TIMELS carries its leap-second report");
  return r;
}

test("the host's own leap-seconds.list (tzdata) parses: 27 leap seconds, GPS − UTC 18 s since 2017", () => {
  const l = parsed(readFileSync("/usr/share/zoneinfo/leap-seconds.list", "latin1"));
  assert.equal(l.entries.length, 28, "the 1972 offset and 27 leap seconds");
  assert.equal(gpsMinusUtcAt(l, at("2026-11-30T00:00:00Z")), 18);
  assert.equal(gpsMinusUtcAt(l, at("2016-12-31T23:59:59Z")), 17);
});

test("a file that is not a leap second list is named with what is wrong", () => {
  assert.match(JSON.stringify(parseLeapSecondList("hello\n")), /'hello' is not '<NTP seconds> <TAI-UTC>'/);
  assert.match(JSON.stringify(parseLeapSecondList(`${NTP + 1}\t10\n`)), /no '#@' expiry line/);
});

test("an announced insertion flags the samples of its last UTC day and no others", () => {
  const watch = new LeapWatch();
  const dayEnd = at("2027-01-01T00:00:00Z");
  // Announced in September: GPS broadcasts it months ahead.
  watch.observe(heard(at("2026-09-15T12:00:00Z"), { leapAnnouncement: { change: 1, atUtcSecond: dayEnd - 1 } }), at("2026-09-15T12:00:00Z"));
  assert.equal(watch.gpsMinusUtcS, 18);
  assert.deepEqual(watch.pending(at("2026-09-15T12:00:01Z")), { kind: "insert", dayEndS: dayEnd, source: "gps" });
  assert.equal(watch.leapFor(at("2026-09-15T12:00:01Z")), 0, "not months ahead");
  assert.equal(watch.leapFor(at("2026-12-30T23:59:59Z")), 0, "not the day before");
  assert.equal(watch.leapFor(at("2026-12-31T00:00:00Z")), 1, "from the first second of the last day");
  assert.equal(watch.leapFor(at("2026-12-31T23:59:59Z")), 1);
  assert.equal(watch.leapFor(dayEnd), 0, "not after it");
  assert.equal(watch.pending(dayEnd), undefined);
});

test("a deletion flags 2; an announcement withdrawn (no change) clears it", () => {
  const watch = new LeapWatch();
  const s = at("2027-06-30T10:00:00Z");
  watch.observe(heard(s, { leapAnnouncement: { change: -1, atUtcSecond: s } }), s);
  assert.equal(watch.leapFor(s + 1), 2);
  watch.observe(heard(s + 1, { leapAnnouncement: undefined }), s + 1);
  assert.equal(watch.leapFor(s + 2), 0);
  assert.equal(watch.pending(s + 2), undefined);
});

test("a receiver without its UTC parameters announces nothing and counts nothing", () => {
  const watch = new LeapWatch();
  const s = at("2026-12-31T08:00:00Z");
  watch.observe(heard(s, { utcValid: false, leapAnnouncement: { change: 1, atUtcSecond: s } }), s);
  assert.equal(watch.gpsMinusUtcS, undefined);
  assert.equal(watch.leapFor(s + 1), 0);
});

test("status: a current list agreeing with the receiver raises nothing; an expired one says so", () => {
  const watch = new LeapWatch();
  const now = at("2026-11-30T12:00:00Z");
  watch.observe(heard(now, {}), now);
  const current = leapStatus(watch, file(parsed(listText("2027-06-28T00:00:00Z"))), now);
  assert.deepEqual(current.list, { path: "/usr/share/zoneinfo/leap-seconds.list", expires: "2027-06-28T00:00:00.000Z", expired: false, problem: null, disagreement: null });
  assert.equal(current.receiverGpsMinusUtcS, 18);
  assert.equal(current.pending, null);
  const old = leapStatus(watch, file(parsed(listText("2026-06-28T00:00:00Z"))), now);
  assert.equal(old.list?.expired, true);
});

test("status: the receiver announcing a leap second the list lacks, or counting otherwise, is a disagreement", () => {
  const now = at("2026-11-30T12:00:00Z");
  const list = file(parsed(listText("2027-06-28T00:00:00Z")));
  const announcing = new LeapWatch();
  announcing.observe(heard(now, { leapAnnouncement: { change: 1, atUtcSecond: at("2026-12-31T12:00:00Z") } }), now);
  const a = leapStatus(announcing, list, now);
  assert.deepEqual(a.pending, { kind: "insert", day: "2026-12-31", by: "receiver", source: "gps" });
  assert.match(a.list?.disagreement ?? "", /announces a leap second at the end of 2026-12-31, which the list \(valid until 2027-06-28\) does not have/);
  const miscounting = new LeapWatch();
  miscounting.observe(heard(now, { leapSeconds: 19 }), now);
  assert.match(leapStatus(miscounting, list, now).list?.disagreement ?? "", /GPS − UTC = 19 s, the list 18 s/);
});

test("status: a leap second the list has within the month is pending even when the receiver cannot announce it (NMEA)", () => {
  const list = file(parsed(listText("2027-06-28T00:00:00Z", [`${at("2027-01-01T00:00:00Z") + NTP}\t38\t# 1 Jan 2027`])));
  const watch = new LeapWatch();
  assert.equal(leapStatus(watch, list, at("2026-11-15T00:00:00Z")).pending, null, "not six weeks ahead");
  assert.deepEqual(leapStatus(watch, list, at("2026-12-05T00:00:00Z")).pending, { kind: "insert", day: "2026-12-31", by: "list", source: "/usr/share/zoneinfo/leap-seconds.list" });
  assert.equal(leapStatus(watch, list, at("2027-01-01T00:00:00Z")).pending, null, "past");
});

test("status: the cached leap status follows the announcement, the day and a reloaded list as leapStatus does", () => {
  const list = file(parsed(listText("2027-06-28T00:00:00Z", [`${at("2027-01-01T00:00:00Z") + NTP}\t38\t# 1 Jan 2027`])));
  const watch = new LeapWatch();
  const cache = new LeapStatusCache();
  const same = (nowS: number, f: LeapListFile = list): void => assert.deepEqual(cache.get(watch, f, nowS), leapStatus(watch, f, nowS), new Date(nowS * 1000).toISOString());
  // The month ahead reaches the leap at a day's start; the second before it, nothing pending yet.
  same(at("2026-11-30T23:59:59Z"));
  same(at("2026-12-01T00:00:00Z"));
  assert.equal(cache.get(watch, list, at("2026-12-01T00:00:00Z")).pending?.by, "list");
  // The receiver announces it (UBX): the same second, a different answer.
  const now = at("2026-12-01T00:00:05Z");
  watch.observe(heard(now, { leapAnnouncement: { change: 1, atUtcSecond: at("2026-12-31T12:00:00Z") } }), now);
  same(now);
  assert.equal(cache.get(watch, list, now).pending?.by, "receiver");
  // A list reloaded as another file: read afresh.
  same(now, file(parsed(listText("2026-06-28T00:00:00Z"))));
  same(at("2027-01-01T00:00:00Z"));
});

test("status: an unreadable list is reported with the fix", () => {
  const s = leapStatus(new LeapWatch(), file(undefined, "cannot read /x (ENOENT): install tzdata, or set time.leap-list"), at("2026-11-30T00:00:00Z"));
  assert.equal(s.list?.problem, "cannot read /x (ENOENT): install tzdata, or set time.leap-list");
  assert.equal(s.list?.expires, null);
});
