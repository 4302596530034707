/*
 * The box drives the receiver, in virtual time through the real composition:
 * the service's receiver control talks to a byte-level simulated u-blox or
 * MediaTek on the simulated wire, while the same service labels the pulses
 * that receiver gives. What an operator checks: the receiver is found at
 * whatever rate it runs, identified, configured and shown; a timing receiver
 * surveys in and holds its position, which a restart reuses; qErr makes the
 * pulses sent to chrony exact; trouble (a refused setting, a reset, jamming,
 * spoofing, an open antenna) is an alarm on the panel; and through it all no
 * pulse carries a wrong second.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SimulatedMediatek } from "../../sim/receivers/mediatekReceiver.js";
import { QUIET_RF } from "../../sim/receivers/skyState.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";
import { NEO_M8N, NEO_M8T, ZED_F9T } from "../../sim/receivers/ubloxModels.js";
import { startVirtualBox, type VirtualBox, type VirtualBoxOptions } from "../../sim/virtual/virtualBox.js";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;

function boot(o: Omit<VirtualBoxOptions, "startUs">): VirtualBox {
  return startVirtualBox({ startUs: (T0 - 0.3) * 1e6, ...o });
}

const at = (box: VirtualBox, s: number): Promise<void> => box.clock.runTo((T0 + s) * 1e6 + 500_000);

/** Every PPS sample the service sent chrony: a wrong second is an offset near a whole second; |offset| is the sample's time error. */
function ppsSamples(box: VirtualBox): Array<{ second: number; errorNs: number }> {
  const path = box.cfg["pps.sock"]!;
  return box.datagrams.samples(path).map((s) => ({ second: s.sec, errorNs: -s.offset * 1e9 - s.usec * 1e3 + (s.usec >= 500_000 ? 1e9 : 0) }));
}

function noWrongSecond(box: VirtualBox): void {
  const samples = ppsSamples(box);
  assert.ok(samples.length > 0, "pulses labelled");
  for (const s of samples) assert.ok(Math.abs(s.errorNs) < 1e6, `a pulse labelled ${s.errorNs / 1e9} s off`);
}

const alarmIds = (box: VirtualBox): string[] => box.status().alarms.map((a) => a.id);

test("a ZED-F9T at 38400 while stratum1.conf says 9600: found, identified, moved to 115200, configured by VALSET, surveyed in; the restart holds the saved position in seconds", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "stratum1-state-"));
  const rx = new SimulatedUblox(ZED_F9T);
  const settings = { "serial.baud": "9600", "serial.target-baud": "115200", "gps.survey-time": "120", "gps.survey-accuracy": "2" };
  const box = boot({ receiver: rx, stateDir, settings });
  try {
    await at(box, 30);
    let g = box.status().gpsControl!;
    assert.match(g.receiver ?? "", /ZED-F9T/);
    assert.equal(g.baud, 115200, "moved to the target rate");
    assert.equal(rx.baud, 115200);
    assert.match(box.log.join("\n"), /gps: .*38400/, "the rate found is told");
    assert.ok(g.configuration && g.configuration.problems.length === 0 && g.configuration.acknowledged >= 3, JSON.stringify(g.configuration));
    assert.equal(g.state, "surveying");
    assert.ok(g.survey && g.survey.wantedS === 120 && g.survey.wantedM === 2, JSON.stringify(g.survey));
    assert.equal(box.status().summary.label, "locked-pps", "the pulse is served while the survey runs");
    const screens = new Set<string>();
    for (let k = 31; k < 70; k++) {
      await at(box, k);
      screens.add(box.screen());
    }
    assert.ok(
      [...screens].some((x) => /^ZED-F9T\S* +115k2 \| svin \dm\d\ds +\d+\.\dm$/.test(x)),
      `the receiver page shows the model, the rate and the survey's progress: ${[...screens].join(" / ")}`,
    );
    await at(box, 600);
    g = box.status().gpsControl!;
    assert.equal(g.state, "ready", g.detail);
    assert.deepEqual(g.position && { source: g.position.source, ok: g.position.accuracyM <= 2 }, { source: "surveyed", ok: true });
    assert.ok(rx.heldPosition(), "the receiver holds its survey's mean");
    const saved = JSON.parse(readFileSync(join(stateDir, "gps-position.json"), "utf8")) as { accuracyM: number };
    assert.ok(saved.accuracyM <= 2);
    noWrongSecond(box);
  } finally {
    await box.close();
  }
  // A reboot: the receiver lost its RAM (a power cycle), the box has /data.
  rx.powerCycle();
  const again = boot({ receiver: rx, stateDir, settings });
  try {
    await at(again, 20);
    const g = again.status().gpsControl!;
    assert.equal(g.state, "ready", g.detail);
    assert.equal(g.position?.source, "saved");
    const screens = new Set<string>();
    for (let k = 21; k < 60; k++) {
      await at(again, k);
      screens.add(again.screen());
    }
    assert.ok(
      [...screens].some((x) => /^ZED-F9T\S* +115k2 \| saved pos +\d\.\dm$/.test(x)),
      [...screens].join(" / "),
    );
    assert.equal(rx.timeMode(), "fixed", "fixed-position mode in seconds, no new survey");
    noWrongSecond(again);
  } finally {
    await again.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test("qErr: each pulse's sample carries the TIM-TP correction for that edge: the sawtooth's spread shrinks to the picoseconds it was rounded to", async () => {
  const rx = new SimulatedUblox(NEO_M8T);
  const box = boot({ receiver: rx, settings: { "serial.baud": "auto", "serial.target-baud": "115200", "gps.survey-time": "60" } });
  try {
    await at(box, 300);
    const truth = new Map(box.receiver!.pulses.map((p) => [p.utcSecond, p.pulse.errorPs / 1000]));
    const samples = ppsSamples(box).filter((s) => truth.has(s.second));
    assert.ok(samples.length > 250, `${samples.length} samples`);
    const raw = samples.map((s) => truth.get(s.second)!);
    const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
    assert.ok(spread(raw) > 10, `the receiver's own pulse error spans ${spread(raw)} ns (the sawtooth)`);
    assert.ok(spread(samples.map((s) => s.errorNs)) < 2, `after qErr: ${spread(samples.map((s) => s.errorNs))} ns`);
    const q = box.status().pps!.qErr!;
    assert.ok(q.applied > 250 && q.spreadAfterNs < q.spreadBeforeNs / 5, JSON.stringify(q));
    noWrongSecond(box);
  } finally {
    await box.close();
  }
});

test("a refused setting: GPS CONFIG on the panel, named with its cause; the rest is applied and the time served", async () => {
  // A firmware without TIM-TP, as some u-blox ADR/UDR products are.
  const rx = new SimulatedUblox({ ...NEO_M8N, outputs: NEO_M8N.outputs.filter((o) => o !== "TIM-TP") });
  const box = boot({ receiver: rx, settings: { "time.utc-holdoff": "0" } });
  try {
    await at(box, 40);
    const s = box.status();
    const a = s.alarms.find((x) => x.id === "gps-config");
    assert.ok(a, `alarms: ${alarmIds(box)}`);
    assert.match(a.detail, /TIM-TP refused \(NAK\)/);
    assert.match(box.log.join("\n"), /gps: CFG-MSG TIM-TP .* refused/);
    assert.equal(s.summary.label, "locked-pps");
    assert.equal(rx.outputRate("NAV-PVT"), 1, "the other settings applied");
    noWrongSecond(box);
  } finally {
    await box.close();
  }
});

test("the receiver reset mid-run loses its RAM settings: noticed from its output, configured again, and no second labelled wrong across it", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const box = boot({ receiver: rx, settings: { "time.utc-holdoff": "0" } });
  try {
    await at(box, 30);
    assert.equal(box.status().gpsControl?.state, "ready");
    assert.equal(rx.outputRate("NAV-PVT"), 1);
    rx.powerCycle();
    assert.equal(rx.outputRate("NAV-PVT"), 0, "forgotten");
    await at(box, 120);
    assert.equal(rx.outputRate("NAV-PVT"), 1, "configured again");
    assert.equal(box.status().gpsControl?.state, "ready");
    // Reset, it is back at its factory 9600 baud while the box listens at 115200: found again, moved again, configured again.
    assert.equal(box.status().gpsControl!.counts.configurations, 2);
    assert.equal(box.log.filter((l) => /gps: receiver moved from 9600 to 115200 baud/.test(l)).length, 2);
    assert.match(box.log.join("\n"), /searching the common rates/);
    assert.equal(box.status().summary.label, "locked-pps");
    noWrongSecond(box);
  } finally {
    await box.close();
  }
});

test("jamming, spoofing and an open antenna, as the receiver reports them: each an alarm with its text, cleared when the receiver says so", async () => {
  const rx = new SimulatedUblox(NEO_M8T);
  const box = boot({ receiver: rx, settings: { "gps.jamming-level": "150", "gps.survey-time": "60" } });
  try {
    await at(box, 40);
    assert.deepEqual(
      alarmIds(box).filter((id) => ["jamming", "spoofing", "antenna-open"].includes(id)),
      [],
    );
    box.receiver!.sky = { ...box.receiver!.sky, rf: { ...QUIET_RF, jamInd: 180, jamming: "warning" } };
    await at(box, 50);
    assert.ok(alarmIds(box).includes("jamming"), `CW indicator 180 ≥ gps.jamming-level 150: ${alarmIds(box)}`);
    assert.match(box.status().alarms.find((a) => a.id === "jamming")!.detail, /180\/255/);
    box.receiver!.sky = { ...box.receiver!.sky, rf: { ...QUIET_RF, spoofing: "indicated" } };
    await at(box, 60);
    assert.ok(alarmIds(box).includes("spoofing"), `${alarmIds(box)}`);
    assert.ok(!alarmIds(box).includes("jamming"), "cleared");
    box.receiver!.sky = { ...box.receiver!.sky, rf: { ...QUIET_RF, antenna: "open" } };
    await at(box, 70);
    assert.ok(alarmIds(box).includes("antenna-open"), `${alarmIds(box)}`);
    assert.ok(!alarmIds(box).includes("spoofing"));
    let shown = "";
    for (let k = 70; k < 110 && !shown.includes("ANT OPEN"); k++) {
      await at(box, k);
      shown = box.screen();
    }
    assert.match(shown, /ANT OPEN/);
    box.receiver!.sky = { ...box.receiver!.sky, rf: QUIET_RF };
    await at(box, 120);
    assert.deepEqual(
      alarmIds(box).filter((id) => ["jamming", "spoofing", "antenna-open"].includes(id)),
      [],
    );
    noWrongSecond(box);
  } finally {
    await box.close();
  }
});

test("MediaTek MT3339 (the Adafruit HAT): identified by PMTK605, sentences and pulse set by PMTK314/255/285, each acknowledged; time served", async () => {
  const rx = new SimulatedMediatek();
  const box = boot({ receiver: rx, settings: { "time.utc-holdoff": "0" } });
  try {
    await at(box, 60);
    const g = box.status().gpsControl!;
    assert.match(g.receiver ?? "", /MediaTek|MT3339/);
    assert.equal(g.state, "ready", g.detail);
    assert.deepEqual(g.configuration?.problems, []);
    assert.equal(rx.outputRate("VTG"), 0, "sentences nobody reads are off");
    assert.equal(rx.outputRate("GSV"), 5, "its sky view kept, every fifth fix");
    assert.equal(rx.outputRate("GSA"), 1);
    assert.equal(box.status().summary.label, "locked-pps");
    noWrongSecond(box);
  } finally {
    await box.close();
  }
});

test("gps.configure = off: the receiver is identified and listened to, nothing of it changed", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const box = boot({ receiver: rx, settings: { "gps.configure": "off", "time.utc-holdoff": "0" } });
  try {
    await at(box, 40);
    const g = box.status().gpsControl!;
    assert.equal(g.configure, false);
    assert.match(g.receiver ?? "", /NEO-M8N/);
    assert.equal(rx.outputRate("NAV-PVT"), 0, "left as it was");
    assert.equal(rx.counts.acks, 0, "no setting sent");
    assert.equal(box.status().summary.label, "locked-pps");
  } finally {
    await box.close();
  }
});

test("GNSS vs NET: a pulse 60 ms late (a bad antenna cable, a spoofer) against three network servers that agree: GNSS DISAGREES; a right pulse is quiet", async () => {
  const story = async (cableDelayNs: number): Promise<{ ids: string[]; detail: string | undefined; box: VirtualBox }> => {
    const rx = new SimulatedUblox(NEO_M8N, { antennaCableDelayNs: cableDelayNs });
    // At 9600 baud the words come hundreds of ms after the pulse; at 115200 they would fall within the
    // ambiguity margin of a pulse 60 ms late, and the box would refuse to label it at all.
    const box = boot({ receiver: rx, settings: { "time.utc-holdoff": "0", "serial.target-baud": "off" } });
    box.chrony!.upstream = { address: "192.0.2.11", stratum: 2, servers: { count: 3, localErrorS: () => box.clock.hostOffsetUs / 1e6 } };
    await at(box, 60);
    return { ids: alarmIds(box), detail: box.status().alarms.find((a) => a.id === "gnss-disagrees")?.detail, box };
  };
  const late = await story(60_000_000);
  try {
    assert.ok(late.ids.includes("gnss-disagrees"), `${late.ids}`);
    assert.match(late.detail ?? "", /the labelled pulse is 59\.\d ms behind the median of 3 network servers/);
    assert.equal(late.box.status().gnssChecks.networkLimitMs, 50);
  } finally {
    await late.box.close();
  }
  const right = await story(0);
  try {
    assert.ok(!right.ids.includes("gnss-disagrees"), `${right.ids}`);
    assert.ok(Math.abs(right.box.status().gnssChecks.network!.pulseMinusNetworkMs) < 1, JSON.stringify(right.box.status().gnssChecks));
  } finally {
    await right.box.close();
  }
});
