/*
 * The receiver configurator against the byte-level simulated receivers, in
 * virtual time: it identifies each, configures it in the language its
 * protocol version speaks, and the simulated receiver's own state then
 * says whether the settings took. Refusals, silence, a reset that loses
 * RAM, a receiver at an unexpected rate and a survey-in to fixed mode are
 * each checked the way the owner would see them: states, named results,
 * the receiver's output.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { KEYS } from "../../src/gnss/ubx/cfgKeys.js";
import { DEFAULT_SETTINGS, type ReceiverSettings } from "../../src/gnss/control/settings.js";
import { ReceiverBench } from "../../sim/receivers/receiverBench.js";
import { SimulatedMediatek } from "../../sim/receivers/mediatekReceiver.js";
import type { SimulatedReceiver, Transmission } from "../../sim/receivers/simulatedReceiver.js";
import { nmeaSentence } from "../../sim/receivers/nmeaSentences.js";
import { MAX_M10S, NEO_M8N, NEO_M8T, ZED_F9T } from "../../sim/receivers/ubloxModels.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

const START_US = Date.UTC(2026, 11, 1, 12, 0, 0) * 1000;

function bench(receiver: SimulatedReceiver, hostBaud: number, settings: ReceiverSettings = DEFAULT_SETTINGS, configuredBaud?: number | "auto"): ReceiverBench {
  const b = new ReceiverBench(new VirtualClock(START_US), receiver, { hostBaud, settings, ...(configuredBaud !== undefined ? { configuredBaud } : {}) });
  b.startEpochs();
  return b;
}

const notAcknowledged = (b: ReceiverBench) => b.control.status().lastConfiguration?.results.filter((r) => r.outcome !== "acknowledged") ?? [];

async function untilState(b: ReceiverBench, state: string, ms: number): Promise<void> {
  const ok = await b.runUntil(() => b.control.status().state === state, ms);
  assert.ok(ok, `not ${state} after ${ms} ms: ${b.control.status().state}: ${b.control.status().detail}`);
}

test("NEO-M8N: identified by MON-VER, configured with legacy CFG messages, every frame acknowledged, its output then as asked", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, pulse: { widthMs: 100, cableDelayNs: 35 } });
  b.control.start();
  await untilState(b, "ready", 60_000);
  const st = b.control.status();
  assert.match(st.description ?? "", /u-blox NEO-M8N-0, SPG 3\.01, protocol 18\.00.*configured by legacy CFG messages/);
  const steps = st.lastConfiguration!.results.map((r) => r.step);
  assert.ok(steps.includes("CFG-MSG NAV-PVT") && steps.includes("CFG-TP5") && steps.includes("CFG-NAV5") && !steps.some((s) => s.startsWith("CFG-VALSET")), steps.join());
  assert.deepEqual(notAcknowledged(b), []);
  // The receiver's own state: outputs, pulse, dynamic model.
  assert.deepEqual([rx.outputRate("NAV-PVT"), rx.outputRate("TIM-TP"), rx.outputRate("NAV-TIMELS"), rx.outputRate("NAV-SAT"), rx.outputRate("MON-HW")], [1, 1, 1, 5, 5]);
  assert.deepEqual([rx.outputRate("RMC"), rx.outputRate("GGA"), rx.outputRate("VTG"), rx.outputRate("GSV"), rx.outputRate("GLL"), rx.outputRate("GSA")], [1, 1, 0, 0, 0, 0]);
  assert.equal(rx.get(KEYS.NAVSPG_DYNMODEL), 2);
  assert.equal(rx.get(KEYS.TP_ANT_CABLEDELAY), 35);
  assert.equal(rx.pulse(b.utcSecond(), { ...b.sky, fix: false }), undefined, "no free-running pulse without a fix");
  assert.equal(rx.pulse(b.utcSecond(), b.sky)?.widthMs, 100);
  // And what the host hears now: NAV-PVT and TIM-TP every second, no VTG.
  await b.run(3000);
  const names = b.heardNames(3000);
  assert.ok(names.filter((n) => n === "NAV-PVT").length >= 2 && names.filter((n) => n === "TIM-TP").length >= 2, names.join());
  assert.ok(!names.includes("VTG") && !names.includes("GSV"), names.join());
  assert.equal(b.eventsOf("verified").at(-1)?.comparison.matches, true);
});

test("NEO-M8T without a saved position: CFG-TMODE2 survey-in runs to fixed mode, and the surveyed position is reported for saving", async () => {
  const rx = new SimulatedUblox(NEO_M8T, { surveyAccuracyAt1sM: 10 });
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, survey: { minDurationS: 60, accuracyLimitM: 1.5 } });
  b.control.start();
  await untilState(b, "surveying", 60_000);
  assert.ok(b.control.status().lastConfiguration!.results.some((r) => r.step === "CFG-TMODE2" && r.outcome === "acknowledged"));
  assert.ok(!b.control.status().lastConfiguration!.results.some((r) => r.step === "CFG-NAV5"), "a timing receiver is not given a dynamic model");
  assert.equal(rx.timeMode(), "survey-in");
  assert.equal(rx.outputRate("TIM-SVIN"), 1);
  await untilState(b, "ready", 120_000);
  const surveyed = b.eventsOf("surveyed");
  assert.equal(surveyed.length, 1);
  const p = surveyed[0]!.position;
  const truth = b.sky.antennaEcefM;
  // TIM-SVIN carries cm: the saved position is the receiver's mean to the cm, within its stated accuracy of the truth.
  assert.ok(p.accuracyM <= 1.5, `accuracy ${p.accuracyM}`);
  assert.ok(Math.hypot(p.ecefM.x - truth.x, p.ecefM.y - truth.y, p.ecefM.z - truth.z) <= p.accuracyM, JSON.stringify(p));
  assert.ok(rx.surveyState().durationS >= 60 && rx.surveyState().valid && !rx.surveyState().active);
  assert.deepEqual(b.control.status().surveyedPosition, p);
  // The receiver holds it: NAV-PVT now says "time only".
  await b.run(2000);
  const pvt = b.heard.filter((h) => h.name === "NAV-PVT").at(-1)!;
  assert.ok(pvt.decoded.ok && pvt.decoded.report.fixMode === "time-only");
});

test("NEO-M8T with a saved position: fixed mode at once, no survey, the position to the cm", async () => {
  const saved = { ecefM: { x: 4278387.1234, y: 645324.4567, z: 4672399.7891 }, accuracyM: 0.8 };
  const rx = new SimulatedUblox(NEO_M8T);
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, fixedPosition: saved });
  b.control.start();
  await untilState(b, "ready", 60_000);
  assert.equal(rx.timeMode(), "fixed");
  const held = rx.heldPosition()!;
  assert.deepEqual([held.x, held.y, held.z], [4278387.12, 645324.46, 4672399.79], "TMODE2 carries whole cm");
  assert.equal(rx.get(KEYS.TMODE_FIXED_POS_ACC), 8000, "0.8 m as 800 mm (held in 0.1 mm)");
  assert.equal(rx.outputRate("TIM-SVIN"), 0);
  assert.equal(b.eventsOf("surveyed").length, 0);
});

test("ZED-F9T: configured by CFG-VALSET only (it would take the legacy messages too), TMODE3 fixed to 0.1 mm, MON-RF instead of MON-HW", async () => {
  const saved = { ecefM: { x: 4278387.1234, y: 645324.4567, z: 4672399.7891 }, accuracyM: 0.05 };
  const rx = new SimulatedUblox(ZED_F9T);
  const b = bench(rx, 38400, { ...DEFAULT_SETTINGS, fixedPosition: saved });
  b.control.start();
  await untilState(b, "ready", 60_000);
  const results = b.control.status().lastConfiguration!.results;
  assert.deepEqual(
    results.map((r) => r.step),
    ["CFG-VALSET rate", "CFG-VALSET outputs", "CFG-VALSET time pulse", "CFG-VALSET time mode"],
  );
  assert.deepEqual(notAcknowledged(b), []);
  assert.equal(rx.timeMode(), "fixed");
  const held = rx.heldPosition()!;
  assert.ok(Math.abs(held.x - 4278387.1234) < 1e-6 && Math.abs(held.y - 645324.4567) < 1e-6 && Math.abs(held.z - 4672399.7891) < 1e-6, JSON.stringify(held));
  assert.deepEqual([rx.outputRate("MON-RF"), rx.outputRate("MON-HW"), rx.outputRate("NAV-PVT"), rx.outputRate("VTG")], [5, 0, 1, 0]);
  assert.equal(rx.get(KEYS.TP_USE_LOCKED_TP1), true);
  assert.equal(rx.get(KEYS.TP_LEN_TP1), 0);
});

test("ZED-F9T without a saved position surveys in through NAV-SVIN", async () => {
  const rx = new SimulatedUblox(ZED_F9T, { surveyAccuracyAt1sM: 5 });
  const b = bench(rx, 38400, { ...DEFAULT_SETTINGS, survey: { minDurationS: 30, accuracyLimitM: 1 } });
  b.control.start();
  await untilState(b, "ready", 120_000);
  const [done] = b.eventsOf("surveyed");
  assert.ok(done, "surveyed");
  const truth = b.sky.antennaEcefM;
  assert.ok(Math.hypot(done.position.ecefM.x - truth.x, done.position.ecefM.y - truth.y, done.position.ecefM.z - truth.z) <= done.position.accuracyM);
  assert.equal(rx.get(KEYS.TMODE_SVIN_ACC_LIMIT), 10_000, "1 m in 0.1 mm");
});

test("MAX-M10S: VALSET only (its firmware refuses legacy CFG), stationary model, outputs as asked", async () => {
  const rx = new SimulatedUblox(MAX_M10S);
  const b = bench(rx, 38400);
  b.control.start();
  await untilState(b, "ready", 60_000);
  assert.deepEqual(
    b.control.status().lastConfiguration!.results.map((r) => `${r.step}: ${r.outcome}`),
    ["CFG-VALSET rate: acknowledged", "CFG-VALSET outputs: acknowledged", "CFG-VALSET time pulse: acknowledged", "CFG-VALSET navigation: acknowledged"],
  );
  assert.equal(rx.get(KEYS.NAVSPG_DYNMODEL), 2);
  assert.deepEqual([rx.outputRate("NAV-PVT"), rx.outputRate("MON-RF"), rx.outputRate("GSV")], [1, 5, 0]);
  assert.equal(rx.counts.naks, 0);
});

test("MT3339: MON-VER unanswered, PMTK605 answered; PMTK314/255/285 each acknowledged by PMTK001; the cable delay it cannot take is said", async () => {
  const rx = new SimulatedMediatek();
  // The owner's list leaves out GGA: without UBX the box needs it, so it stays on, and the notes say so.
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, nmea: [{ sentence: "RMC", every: 1 }], pulse: { widthMs: 100, cableDelayNs: 40 } });
  b.control.start();
  await untilState(b, "ready", 60_000);
  assert.match(b.control.status().description ?? "", /MediaTek PA6H, firmware AXN_2\.31_3339_13101700 \(build 5632\)/);
  const r = b.control.status().lastConfiguration!;
  assert.deepEqual(
    r.results.map((x) => `${x.step}: ${x.outcome}`),
    ["PMTK314: acknowledged", "PMTK255: acknowledged", "PMTK285: acknowledged"],
  );
  assert.ok(
    r.notes.some((n) => /no cable-delay setting/.test(n)),
    r.notes.join(" | "),
  );
  assert.ok(
    r.notes.some((n) => /GGA kept on/.test(n)),
    r.notes.join(" | "),
  );
  assert.deepEqual(rx.ppsConfig(), { type: "2d-3d-fix", widthMs: 100, syncNmeaToPps: true });
  assert.deepEqual([rx.outputRate("RMC"), rx.outputRate("GGA"), rx.outputRate("GSV"), rx.outputRate("VTG")], [1, 1, 0, 0]);
});

test("MT3339 with the default settings: RMC, GGA, GSA every fix, GSV every fifth, VTG off; ready once the output matches", async () => {
  const rx = new SimulatedMediatek();
  const b = bench(rx, 9600);
  b.control.start();
  await untilState(b, "ready", 60_000);
  assert.deepEqual([rx.outputRate("RMC"), rx.outputRate("GGA"), rx.outputRate("GSA"), rx.outputRate("GSV"), rx.outputRate("VTG")], [1, 1, 1, 5, 0]);
  assert.equal(rx.pulse(b.utcSecond(), { ...b.sky, fix: false }), undefined);
});

test("a refused setting is reported by name with its cause, the rest still applies, and the check leaves the refused output out", async () => {
  // A firmware without TIM-TP (u-blox ADR/UDR products lack some TIM messages).
  const rx = new SimulatedUblox({ ...NEO_M8N, outputs: NEO_M8N.outputs.filter((o) => o !== "TIM-TP") });
  const b = bench(rx, 9600);
  b.control.start();
  await untilState(b, "ready", 60_000);
  const refused = notAcknowledged(b);
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.step, "CFG-MSG TIM-TP");
  assert.equal(refused[0]!.outcome, "refused");
  assert.match(refused[0]!.detail, /^CFG-MSG TIM-TP refused \(NAK\): this receiver \(protocol 18\.00\) does not accept TIM-TP every epoch; .*gps\.configure = off/);
  assert.equal(b.control.status().counts.refused, 1);
  assert.equal(rx.outputRate("NAV-PVT"), 1);
  assert.equal(b.eventsOf("verified").at(-1)?.comparison.matches, true);
});

test("a receiver that goes silent mid-configuration is named at the frame it stopped at; nothing after is sent, and the box goes looking for it", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600);
  rx.hangAfterCfgFrames(5);
  b.control.start();
  await b.runUntil(() => b.eventsOf("configured").length > 0, 60_000);
  const results = b.eventsOf("configured")[0]!.results;
  assert.deepEqual(
    results.slice(0, 5).map((r) => r.outcome),
    ["acknowledged", "acknowledged", "acknowledged", "acknowledged", "acknowledged"],
  );
  const silent = results[5]!;
  assert.equal(silent.outcome, "no-answer");
  assert.equal(silent.attempts, 2);
  assert.match(silent.detail, /^CFG-MSG \S+: no answer in 1 s \(sent 2 times\); .*TX to the receiver's RX/);
  assert.ok(results.slice(6).every((r) => r.outcome === "skipped"));
  await untilState(b, "no-receiver", 120_000);
  assert.match(b.control.status().detail, /nothing arrives at .*baud/);
  assert.ok(b.control.status().counts.unanswered >= 1);
});

test("a reset that loses the RAM settings is noticed from the output and the receiver is configured again", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600);
  b.control.start();
  await untilState(b, "ready", 60_000);
  await b.run(6000);
  b.port.send(rx.powerCycle());
  assert.equal(rx.outputRate("NAV-PVT"), 0, "the simulated receiver really forgot");
  const ok = await b.runUntil(() => b.eventsOf("mismatch").length > 0, 15_000);
  assert.ok(ok, "mismatch noticed");
  assert.match(b.eventsOf("mismatch")[0]!.detail, /missing NAV-PVT, TIM-TP, NAV-TIMELS; turned-off GLL, GSA, GSV, VTG present: the receiver lost its settings .*configuring again/);
  await untilState(b, "ready", 60_000);
  assert.equal(rx.outputRate("NAV-PVT"), 1);
  assert.equal(b.control.status().counts.reconfigurations, 1);
  assert.equal(b.control.status().counts.configurations, 2);
});

test("a receiver at 38400 when 9600 is configured is found, and the owner is told which rate to set", async () => {
  const rx = new SimulatedUblox({ ...NEO_M8N, defaultBaud: 38400 });
  const b = bench(rx, 9600);
  b.control.start();
  await untilState(b, "ready", 120_000);
  const [search] = b.eventsOf("baud-search");
  assert.ok(search);
  assert.equal(search.result.found, 38400);
  assert.equal(search.result.detail, "receiver found at 38400 baud, not the configured 9600: using 38400 (set serial.baud = 38400, or auto, to start there)");
  const at9600 = search.result.trials.find((t) => t.baud === 9600)!;
  assert.equal(at9600.frames, 0);
  assert.ok(at9600.garbageBytes > 100, "at the wrong rate the receiver's output is noise");
  assert.equal(b.port.baud, 38400);
});

test("serial.baud = auto with a target: the receiver is moved to 115200; after a power cycle it is found at 9600 again and moved again", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, targetBaud: 115200 }, "auto");
  b.control.start();
  await untilState(b, "ready", 60_000);
  assert.deepEqual([rx.baud, b.port.baud], [115200, 115200]);
  assert.equal(b.eventsOf("baud-change")[0]?.result.detail, "receiver moved from 9600 to 115200 baud");
  await b.run(6000);
  b.port.send(rx.powerCycle());
  assert.equal(rx.baud, 9600, "RAM only: the rate is gone too");
  await b.runUntil(() => b.eventsOf("baud-change").length === 2, 120_000);
  await untilState(b, "ready", 60_000);
  assert.deepEqual([rx.baud, b.port.baud], [115200, 115200]);
  assert.ok(b.eventsOf("baud-search").some((s) => s.result.found === 9600));
  assert.ok(
    b.eventsOf("mismatch").some((m) => /do not decode at 115200 baud|nothing decodes/.test(m.detail)),
    b
      .eventsOf("mismatch")
      .map((m) => m.detail)
      .join(" | "),
  );
});

test("configuration off: the receiver is identified and listened to, nothing is sent but the identification poll", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, configure: false });
  b.control.start();
  await untilState(b, "listening", 30_000);
  assert.equal(rx.counts.acks + rx.counts.naks, 0);
  assert.equal(rx.outputRate("VTG"), 1);
  assert.match(b.control.status().detail, /not configured \(gps\.configure = off\)/);
});

test("an NMEA-only receiver that answers neither MON-VER nor PMTK605 is listened to", async () => {
  class NmeaOnly implements SimulatedReceiver {
    baud = 4800;
    write(): Transmission[] {
      return [];
    }
    epoch(utcSecond: number, sky: Parameters<SimulatedReceiver["epoch"]>[1]): Buffer {
      return Buffer.from(nmeaSentence("RMC", "GP", utcSecond, sky) + nmeaSentence("GGA", "GP", utcSecond, sky), "latin1");
    }
    pulse(): undefined {
      return undefined;
    }
    powerCycle(): Transmission[] {
      return [];
    }
  }
  const b = bench(new NmeaOnly(), 4800);
  b.control.start();
  await untilState(b, "listening", 30_000);
  assert.equal(b.control.status().receiver?.family, "nmea");
});

test("--save writes BBR and flash, so a power cycle keeps the configuration; --show reads it back from the receiver", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600, { ...DEFAULT_SETTINGS, pulse: { widthMs: 200, cableDelayNs: 60 } });
  b.control.start();
  await untilState(b, "ready", 60_000);
  const show = b.control.readBack();
  await b.run(30_000);
  const items = await show;
  const byName = Object.fromEntries(items.map((i) => [i.name, i.value]));
  assert.equal(byName["time pulse"], "on, period 1000000 µs locked, 200000 µs long (0 µs unlocked), UTC grid, rising edge, cable delay 60 ns");
  assert.equal(byName["navigation model"], "stationary");
  assert.match(byName.outputs ?? "", /NAV-PVT 1.*TIM-TP 1.*RMC 1.*VTG 0/);
  const save = b.control.saveToFlash();
  await b.run(2000);
  assert.equal((await save).outcome, "acknowledged");
  rx.powerCycle();
  assert.equal(rx.outputRate("NAV-PVT"), 1, "restored from BBR/flash");
  assert.equal(rx.get(KEYS.TP_LEN_LOCK_TP1), 200_000);
});

test("--show on a Gen9 receiver reads the RAM layer with CFG-VALGET", async () => {
  const rx = new SimulatedUblox(ZED_F9T);
  const b = bench(rx, 38400, { ...DEFAULT_SETTINGS, fixedPosition: { ecefM: { x: 4278387.12, y: 645324.46, z: 4672399.79 }, accuracyM: 0.1 } });
  b.control.start();
  await untilState(b, "ready", 60_000);
  const show = b.control.readBack();
  await b.run(5000);
  const byName = Object.fromEntries((await show).map((i) => [i.name, i.value]));
  assert.equal(byName.port, "UART1 38400 baud");
  assert.equal(byName["time mode"], "fixed at ECEF 4278387.12, 645324.46, 4672399.79 m");
  assert.match(byName.outputs ?? "", /NAV-PVT 1.*MON-RF 5, NAV-SVIN 0/);
});

test("a port that fails under a write is a state with the cause and a retry, not a crash", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600);
  b.port.write = () => Promise.reject(new Error("write /dev/serial0: EIO"));
  b.control.start();
  await untilState(b, "no-receiver", 10_000);
  assert.match(b.control.status().detail, /^receiver control failed: write \/dev\/serial0: EIO; retrying in 30 s/);
});

test("a receiver that acknowledges everything but never changes its output is configured three times, then left alone", async () => {
  const inner = new SimulatedUblox(NEO_M8N);
  // Its epochs stay the factory NMEA whatever it acknowledged.
  const stubborn: SimulatedReceiver = {
    get baud() {
      return inner.baud;
    },
    write: (bytes) => inner.write(bytes),
    epoch: (s, sky) => new SimulatedUblox(NEO_M8N).epoch(s, sky),
    pulse: (s, sky) => inner.pulse(s, sky),
    powerCycle: () => inner.powerCycle(),
  };
  const b = bench(stubborn, 9600);
  b.control.start();
  await untilState(b, "ready", 120_000);
  assert.match(b.control.status().detail, /configured 3 times without effect: the output is no longer checked/);
  await b.run(30_000);
  assert.equal(b.control.status().counts.configurations, 3);
  assert.equal(b.control.status().state, "ready");
});

test("stop() during configuration: the cycle under way changes nothing more and nothing restarts", async () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const b = bench(rx, 9600);
  b.control.start();
  await b.runUntil(() => b.control.status().state === "configuring", 30_000);
  b.control.stop();
  const acksAtStop = rx.counts.acks;
  await b.run(60_000);
  assert.equal(b.control.status().state, "stopped");
  assert.ok(rx.counts.acks <= acksAtStop + 1, "at most the frame in flight is answered");
  await b.control.settled();
});
