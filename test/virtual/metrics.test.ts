/*
 * The metrics through a story, in virtual time: the real service on the
 * fakes (sim/virtual), fed a real receiver's capture (u-blox NEO-M8N) laid
 * out as ten minutes of a cold start, a fix with its pulse, the fix lost,
 * the LCD failing for a few draws, the receiver unplugged and plugged back.
 * At each turn the exposition (what /metrics serves) is read as Prometheus
 * would and must say what an operator should see; every counter only goes
 * up; every family is named and typed by Prometheus's conventions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Exposition } from "../../src/metrics/exposition.js";
import { SNAPSHOT_METRICS } from "../../src/metrics/snapshotMetrics.js";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";
import { storyCapture, type StoryStep } from "../support/storyCapture.js";
import { parseExposition, seriesKey, type Exposed } from "../support/exposition.js";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;

const STORY: readonly StoryStep[] = [
  { from: 0, to: 60, part: "cold" },
  { from: 60, to: 300, part: "fix" },
  { from: 300, to: 360, part: "lost" },
  { from: 360, to: 480, part: "fix" },
  { from: 480, to: 520, part: "unplugged" },
  { from: 520, to: 600, part: "fix" },
];

/** The one series of a state set that is 1. */
function current(m: Exposed, name: string, label: string): string | undefined {
  const on = m.series(name).filter((s) => s.value === 1);
  assert.ok(on.length <= 1, `${name}: ${on.length} states at 1`);
  for (const s of m.series(name)) assert.ok(s.value === 0 || s.value === 1, `${name} is 0 or 1`);
  return on[0]?.labels[label];
}

const sum = (m: Exposed, name: string, labels: Record<string, string> = {}): number =>
  m
    .series(name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

test("the metrics through ten minutes of a story: states follow the receiver, counters only go up, names follow Prometheus's conventions", { timeout: 120_000 }, async () => {
  // The NMEA receiver's UTC hold-off after its cold start (time.utc-holdoff, test/virtual/utcTrust.test.ts) is not this story's subject.
  const box = startVirtualBox({ startUs: (T0 - 2) * 1e6, settings: { "lcd.pages": "sync", "time.utc-holdoff": "0" } });
  const backend = new VirtualBackend(box.serial, box.kernel, 9600);
  const playing = playCapture(storyCapture(STORY, { startS: T0, pulses: (part) => part !== "cold" }).records, { clock: box.clock, boxAheadS: 0, backend, onEvent: () => undefined });
  const exposition = new Exposition();
  const scrapes: Exposed[] = [];
  const scrapeAt = async (k: number): Promise<Exposed> => {
    await box.clock.runTo((T0 + k) * 1e6 + 500_000);
    const m = parseExposition(await exposition.render(box.status()));
    scrapes.push(m);
    return m;
  };

  try {
    let m = await scrapeAt(30);
    assert.equal(m.value("stratum1_alarm_active", { alarm: "no-fix" }), 1, "cold start: no fix");
    assert.equal(current(m, "stratum1_status_label", "label"), "no-fix");
    assert.equal(m.value("stratum1_serving"), 0);
    assert.equal(current(m, "stratum1_pps_state", "state"), "no-pulse");
    assert.notEqual(current(m, "stratum1_time_state", "state"), "ok");
    assert.equal(current(m, "stratum1_serial_state", "state"), "open");
    assert.equal(m.value("stratum1_chrony_up"), 1);
    assert.equal(current(m, "stratum1_chrony_leap_status", "status"), "unsynchronised");
    assert.equal(m.value("stratum1_gnss_satellites_used"), 0);
    assert.equal(m.series("stratum1_gnss_antenna_state").length, 0, "this receiver never reports its antenna: no series, not a made-up state");
    assert.equal(m.series("stratum1_gnss_jamming_state").length, 0);

    box.chrony!.ntp.received = 1000;
    box.chrony!.ntp.dropped = 3;
    box.chrony!.clients = 4;
    await scrapeAt(200);
    box.chrony!.ntp.received = 2500;
    m = await scrapeAt(280);
    assert.equal(m.value("stratum1_serving"), 1, "locked on the pulse: serving");
    assert.equal(current(m, "stratum1_status_label", "label"), "locked-pps");
    assert.equal(current(m, "stratum1_pps_state", "state"), "locked");
    assert.equal(current(m, "stratum1_time_state", "state"), "ok");
    assert.equal(current(m, "stratum1_gnss_fix_mode", "mode"), "3d");
    assert.ok(m.value("stratum1_gnss_satellites_used")! >= 4, `${m.value("stratum1_gnss_satellites_used")} used`);
    assert.ok(m.value("stratum1_gnss_satellites_visible", { system: "GPS" })! > 0, JSON.stringify(m.series("stratum1_gnss_satellites_visible")));
    assert.equal(m.value("stratum1_gnss_satellites_visible", { system: "NavIC" }), 0, "a constellation not in view is 0, not missing");
    assert.ok(m.value("stratum1_gnss_dilution_of_precision", { type: "pdop" })! > 0);
    const delay = m.value("stratum1_pps_delay_seconds")!;
    assert.ok(delay > 0.12 && delay < 0.2, `learned delay ${delay} s (the receiver's words come 120 ms after the pulse, and take their time on the wire)`);
    assert.ok(m.value("stratum1_pps_delay_jitter_seconds")! >= 0);
    assert.ok(m.value("stratum1_pps_labelled_total", { by: "time" })! > 150);
    assert.ok(sum(m, "stratum1_samples_delivered_total", { stream: "pps" }) > 150, "pulses delivered to chrony's PPS socket");
    assert.ok(sum(m, "stratum1_samples_delivered_total", { stream: "nmea" }) > 150, "the receiver's time delivered to chrony's NMEA socket");
    assert.equal(sum(m, "stratum1_samples_failed_total"), 0);
    assert.equal(m.value("stratum1_chrony_stratum"), 1);
    assert.equal(current(m, "stratum1_chrony_leap_status", "status"), "normal");
    assert.equal(m.series("stratum1_chrony_reference_info")[0]?.labels.ref_name, "PPS");
    assert.equal(m.value("stratum1_chrony_source_selected", { source: "PPS" }), 1);
    assert.equal(m.value("stratum1_chrony_ntp_requests_total"), 2500);
    assert.equal(m.value("stratum1_chrony_ntp_requests_dropped_total"), 3);
    assert.equal(m.value("stratum1_chrony_ntp_clients"), 4);
    assert.equal(current(m, "stratum1_lcd_state", "state"), "ok");
    assert.ok(m.value("stratum1_lcd_bus_bytes_total")! > 0);
    assert.equal(m.value("stratum1_lcd_bus_errors_total"), 0);
    assert.ok(m.value("stratum1_serial_bytes_total")! > 100_000);
    assert.equal(sum(m, "stratum1_alarm_active"), 0);
    const before = m;

    m = await scrapeAt(330);
    assert.equal(m.value("stratum1_alarm_active", { alarm: "no-fix" }), 1, "fix lost");
    assert.equal(m.value("stratum1_serving"), 0);
    assert.equal(current(m, "stratum1_pps_state", "state"), "holdover");
    assert.notEqual(current(m, "stratum1_time_state", "state"), "ok");
    assert.ok(sum(m, "stratum1_time_refused_total") > sum(before, "stratum1_time_refused_total") + 20, "each epoch without a fix is refused and counted by reason");
    assert.notEqual(current(m, "stratum1_gnss_fix_mode", "mode"), "3d");

    m = await scrapeAt(450);
    assert.equal(sum(m, "stratum1_alarm_active"), 0, "fix back");
    assert.equal(current(m, "stratum1_pps_state", "state"), "locked");
    // The next draws on the glass (when the screen next changes: the alarm below) fail on the bus.
    box.lcd!.failNext(3);

    m = await scrapeAt(500);
    assert.equal(current(m, "stratum1_serial_state", "state"), "missing", "receiver unplugged");
    assert.equal(m.value("stratum1_alarm_active", { alarm: "no-gps-data" }), 1);
    assert.equal(current(m, "stratum1_status_label", "label"), "no-gps-data");
    assert.ok(m.value("stratum1_lcd_bus_errors_total")! >= 1, `the LCD's failed draws are counted: ${JSON.stringify(box.status().lcd)}`);

    m = await scrapeAt(595);
    assert.equal(current(m, "stratum1_serial_state", "state"), "open");
    assert.equal(current(m, "stratum1_pps_state", "state"), "locked", "plugged back: locked again");
    assert.equal(current(m, "stratum1_lcd_state", "state"), "ok", "the display is back");
    await box.clock.runTo((T0 + 602) * 1e6);
    await playing;
  } finally {
    await box.close();
  }

  // Counters only go up within one life of the service: that is what rate() and increase() assume.
  for (let i = 1; i < scrapes.length; i++) {
    const prev = new Map(scrapes[i - 1]!.samples.map((s) => [seriesKey(s), s.value]));
    for (const s of scrapes[i]!.samples) {
      if (scrapes[i]!.families.get(s.name)?.type !== "counter" || s.name.startsWith("process_")) continue;
      const was = prev.get(seriesKey(s));
      assert.ok(was === undefined || s.value >= was, `${seriesKey(s)} went down from ${was} to ${s.value}`);
    }
  }

  // Names and labels as the table declares them, by Prometheus's conventions.
  const last = scrapes.at(-1)!;
  for (const spec of SNAPSHOT_METRICS) {
    const family = last.families.get(spec.name);
    assert.ok(family, `${spec.name} is exported`);
    assert.equal(family.type, spec.type);
    assert.ok(family.help.length > 10, `${spec.name} has a help text`);
    assert.match(spec.name, /^stratum1_[a-z0-9_]+$/);
    if (spec.type === "counter") assert.match(spec.name, /_total$/, "counters end in _total");
    else assert.doesNotMatch(spec.name, /_total$/, "only counters end in _total");
    assert.doesNotMatch(spec.name, /_(ms|milliseconds|us|microseconds|minutes|kb|mb|percent)(_|$)/, "base units: seconds, bytes, ratios");
    for (const s of last.series(spec.name)) assert.deepEqual(Object.keys(s.labels).sort(), [...spec.labels].sort(), `${seriesKey(s)} has the declared labels`);
  }
  assert.ok(last.value("process_resident_memory_bytes")! > 1e6);
  assert.ok(last.value("process_cpu_seconds_total")! > 0);
});

test("before the first status tick only the process's own figures are exported; a part that is absent has no series", async () => {
  const m = parseExposition(await new Exposition().render(undefined));
  assert.deepEqual([...new Set(m.samples.map((s) => s.name))].sort(), ["process_cpu_seconds_total", "process_resident_memory_bytes"], "no stratum1_ series made up before there is a status");
  assert.ok(m.families.has("stratum1_serving"), "the families are announced all the same");
});
