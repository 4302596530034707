/*
 * The pure half of receiver control: which receiver is which, which frames
 * a plan holds for it, what its output must then look like, and the small
 * judgements (output comparison, survey panel text) the state machine
 * leans on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNote } from "../../src/gnss/control/configPlan.js";
import { frameName } from "../../src/gnss/control/frameName.js";
import { classifyUblox, describeReceiver } from "../../src/gnss/control/identity.js";
import { planMediatek } from "../../src/gnss/control/mtkPlan.js";
import { compareOutput, lineVerdict, OutputTally } from "../../src/gnss/control/outputTally.js";
import { DEFAULT_MEDIATEK_NMEA, DEFAULT_SETTINGS } from "../../src/gnss/control/settings.js";
import { surveyPanelText, SurveyWatch } from "../../src/gnss/control/surveyWatch.js";
import { planUblox } from "../../src/gnss/control/ubxPlan.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";

test("identity: protocol and module decide the interface and the time mode", () => {
  const cases: [Parameters<typeof classifyUblox>[0], string, string, string | undefined][] = [
    [{ protocol: "18.00", model: "NEO-M8N-0", firmware: "SPG 3.01" }, "M8", "legacy", undefined],
    [{ protocol: "22.00", model: "NEO-M8T-0", firmware: "TIM 1.10" }, "M8", "legacy", "tmode2"],
    [{ protocol: "16.00", model: "LEA-M8F-0", firmware: "FTS 1.01" }, "M8", "legacy", "tmode2"],
    [{ protocol: "29.25", model: "ZED-F9T-20B", firmware: "TIM 2.25" }, "F9", "valset", "tmode3"],
    [{ protocol: "27.10", model: "ZED-F9P", firmware: "HPG 1.11" }, "F9", "valset", undefined],
    [{ protocol: "32.01", model: "NEO-M9N-00B", firmware: "SPG 4.04" }, "M9", "valset", undefined],
    [{ protocol: "34.10", model: "MAX-M10S", firmware: "SPG 5.10" }, "M10", "valset", undefined],
    [{ protocol: "14.00" }, "u-blox 6/7", "legacy", undefined],
    // No module name (older firmware): the protocol alone decides.
    [{ protocol: "33.00" }, "M9", "valset", undefined],
  ];
  for (const [id, generation, configInterface, timeMode] of cases) {
    const r = classifyUblox(id);
    assert.deepEqual([r.generation, r.configInterface, r.timeMode], [generation, configInterface, timeMode], JSON.stringify(id));
  }
  assert.equal(
    describeReceiver(classifyUblox({ protocol: "22.00", model: "NEO-M8T-0", firmware: "TIM 1.10", hardware: "00080000" })),
    "u-blox NEO-M8T-0, TIM 1.10, protocol 22.00, hardware 00080000 (timing receiver, configured by legacy CFG messages)",
  );
});

test("a legacy plan for a navigation receiver: rate, one CFG-MSG per output, CFG-TP5, CFG-NAV5; no CFG-CFG unless saving", () => {
  const rx = classifyUblox({ protocol: "18.00", model: "NEO-M8N-0" });
  const plan = planUblox(rx, DEFAULT_SETTINGS);
  const names = plan.steps.map((s) => s.name);
  assert.equal(names[0], "CFG-RATE");
  assert.deepEqual(names.slice(-2), ["CFG-TP5", "CFG-NAV5"]);
  assert.ok(!names.includes("CFG-CFG"));
  assert.deepEqual(plan.output.everyEpoch, ["NAV-PVT", "TIM-TP", "NAV-TIMELS", "GGA", "RMC"]);
  assert.ok(["VTG", "GSV", "GLL", "GSA", "ZDA"].every((n) => plan.output.absent.includes(n)));
  assert.ok(planUblox(rx, { ...DEFAULT_SETTINGS, persist: "bbr-flash" }).steps.at(-1)!.name === "CFG-CFG");
});

test("protocol 16 has no NAV-TIMELS: the plan leaves it out and says why", () => {
  const plan = planUblox(classifyUblox({ protocol: "16.00", model: "LEA-M8F-0", firmware: "FTS 1.01" }), DEFAULT_SETTINGS);
  assert.ok(!plan.steps.some((s) => s.name === "CFG-MSG NAV-TIMELS"));
  assert.match(plan.notes.join(" "), /protocol 16\.00 has no NAV-TIMELS/);
});

test("a Gen9 plan: one VALSET per concern, in the layers asked for", () => {
  const rx = classifyUblox({ protocol: "29.25", model: "ZED-F9T-20B", firmware: "TIM 2.25" });
  const ram = planUblox(rx, DEFAULT_SETTINGS);
  assert.deepEqual(
    ram.steps.map((s) => s.name),
    ["CFG-VALSET rate", "CFG-VALSET outputs", "CFG-VALSET time pulse", "CFG-VALSET time mode"],
  );
  // Payload byte 1 is the layer mask: RAM only, or RAM | BBR | flash when saving.
  assert.deepEqual(
    ram.steps.map((s) => s.bytes[6 + 1]),
    [1, 1, 1, 1],
  );
  assert.deepEqual(
    planUblox(rx, { ...DEFAULT_SETTINGS, persist: "bbr-flash" }).steps.map((s) => s.bytes[6 + 1]),
    [7, 7, 7, 7],
  );
  assert.ok(ram.outputNames.includes("NAV-SVIN") && ram.outputNames.includes("MON-RF") && !ram.outputNames.includes("MON-HW"));
});

test("the survey-in limits and a saved position reach the frames in each receiver's units", () => {
  const m8t = classifyUblox({ protocol: "22.00", model: "NEO-M8T-0", firmware: "TIM 1.10" });
  const survey = planUblox(m8t, { ...DEFAULT_SETTINGS, survey: { minDurationS: 7200, accuracyLimitM: 2.5 } }).steps.find((s) => s.name === "CFG-TMODE2")!;
  const t2 = decodeUbx(0x06, 0x3d, survey.bytes.subarray(6, -2));
  assert.ok(t2.ok && t2.report.control?.kind === "cfg-tmode2");
  assert.deepEqual([t2.report.control.settings.mode, t2.report.control.settings.svinMinDurS, t2.report.control.settings.svinAccLimitMm], ["survey-in", 7200, 2500]);
  const f9t = classifyUblox({ protocol: "29.25", model: "ZED-F9T-20B" });
  const fixed = planUblox(f9t, { ...DEFAULT_SETTINGS, fixedPosition: { ecefM: { x: -2694685.4732, y: -4293642.3765, z: 3857878.9241 }, accuracyM: 0.0213 } }).steps.find(
    (s) => s.name === "CFG-VALSET time mode",
  )!;
  // Key/value pairs after the 4-byte header: MODE=2, POS_TYPE=0, X/Y/Z cm, X/Y/Z HP, FIXED_POS_ACC.
  const p = fixed.bytes.subarray(6, -2);
  const values: number[] = [];
  for (let at = 4; at < p.length; ) {
    const id = p.readUInt32LE(at);
    const size = [0, 1, 1, 2, 4, 8][(id >>> 28) & 7]!;
    values.push(size === 4 ? p.readInt32LE(at + 4) : p.readInt8(at + 4));
    at += 4 + size;
  }
  assert.deepEqual(values, [2, 0, -269468547, -429364237, 385787892, -32, -65, 41, 213]);
});

test("a cable delay and a pulse width reach CFG-TP5", () => {
  const tp5 = planUblox(classifyUblox({ protocol: "18.00" }), { ...DEFAULT_SETTINGS, pulse: { widthMs: 50, cableDelayNs: -12 } }).steps.find((s) => s.name === "CFG-TP5")!;
  const d = decodeUbx(0x06, 0x31, tp5.bytes.subarray(6, -2));
  assert.ok(d.ok && d.report.control?.kind === "cfg-tp5");
  assert.deepEqual(
    [d.report.control.settings.antCableDelayNs, d.report.control.settings.pulseLenRatioLock, d.report.control.settings.pulseLenRatio, d.report.control.settings.lockedOtherSet],
    [-12, 50_000, 0, true],
  );
});

test("MediaTek plan: the owner's sentences, RMC and GGA always; GSV every fifth fix at most", () => {
  const plan = planMediatek({ ...DEFAULT_SETTINGS, nmea: DEFAULT_MEDIATEK_NMEA });
  assert.equal(plan.steps[0]!.bytes.toString("latin1"), "$PMTK314,0,1,0,1,1,5,0,0,0,0,0,0,0,0,0,0,0,0,0*2C\r\n");
  assert.deepEqual(plan.output, { everyEpoch: ["RMC", "GGA", "GSA"], absent: ["GLL", "VTG", "ZDA", "PMTKCHN"] });
  const slow = planMediatek({ ...DEFAULT_SETTINGS, nmea: [{ sentence: "GSV", every: 10 }] });
  assert.match(slow.notes.join(" "), /GSV at most every 5 fixes/);
  assert.match(slow.notes.join(" "), /RMC kept on/);
});

test("at 9600 baud the heaviest second of the default u-blox output is too slow; at 115200 it is not", () => {
  const plan = planUblox(classifyUblox({ protocol: "18.00" }), DEFAULT_SETTINGS);
  assert.ok(plan.load.peakBytes > 600 && plan.load.averageBytes < plan.load.peakBytes);
  assert.match(loadNote(plan.load, 9600) ?? "", /^at 9600 baud the heaviest second's output \(\d+ bytes\) takes 0\.\d\d s to send.*serial\.target-baud = 115200/);
  assert.equal(loadNote(plan.load, 115200), undefined);
});

test("output comparison: a message expected every epoch must come in all but two seconds of the window; a turned-off one not at all", () => {
  const t = new OutputTally();
  for (let s = 0; s < 5; s++) for (const n of ["RMC", "NAV-PVT"]) t.add(n);
  t.add("TIM-TP");
  t.add("VTG");
  const c = compareOutput(t, { everyEpoch: ["RMC", "NAV-PVT", "TIM-TP"], absent: ["VTG", "GSV"] }, 5);
  assert.deepEqual([c.matches, c.missing, c.unexpected], [false, ["TIM-TP"], ["VTG"]]);
  assert.equal(c.detail, "output does not match the configuration over 5 s: missing TIM-TP; turned-off VTG present");
  const quiet = new OutputTally();
  assert.equal(lineVerdict(quiet), "silent");
  quiet.dropped(300);
  assert.equal(lineVerdict(quiet), "garbage");
});

test("frame names are what configuration switches: the sentence type for any talker, maker and number for proprietary ones", () => {
  assert.equal(frameName({ kind: "nmea", text: "$GNRMC,,V,,,,,,,,,,N*4D", rxUs: 0 }), "RMC");
  assert.equal(frameName({ kind: "nmea", text: "$GPGSV,1,1,00*79", rxUs: 0 }), "GSV");
  assert.equal(frameName({ kind: "nmea", text: "$PMTK001,314,3*36", rxUs: 0 }), "PMTK001");
  // The address field's shape: 3 to 8 capitals or digits after '$' or '!', then ',' or '*'; anything else names nothing.
  const named = (text: string): string => frameName({ kind: "nmea", text, rxUs: 0 });
  assert.equal(named("!AIVDM,1,1,,A,13u?*00"), "VDM");
  assert.equal(named("$GPTXT*47"), "TXT");
  assert.equal(named("$PUBX12,00*33"), "PUBX12");
  assert.equal(named("$ABC,1*00"), "ABC", "three characters: taken whole");
  assert.equal(named("$AB,1*00"), "", "too short");
  assert.equal(named("$ABCDEFGHI,1*00"), "", "too long");
  assert.equal(named("$gprmc,1*00"), "", "lower case");
  assert.equal(named("$GPRMC"), "", "no separator");
  assert.equal(named("$GP-MC,1*00"), "");
  assert.equal(named("GPRMC,1*00"), "", "no '$'");
  assert.equal(frameName({ kind: "ubx", msgClass: 0x0d, msgId: 0x01, payload: Buffer.alloc(16), rxUs: 0 }), "TIM-TP");
  assert.equal(frameName({ kind: "ubx", msgClass: 0x02, msgId: 0x15, payload: Buffer.alloc(16), rxUs: 0 }), "UBX-02-15");
});

test("survey watch: done once, on the first valid and inactive report; the panel text fits its fields", () => {
  const w = new SurveyWatch({ minDurationS: 3600, accuracyLimitM: 2 });
  const r = { active: true, valid: false, durationS: 1234, observations: 1234, ecefM: { x: 1, y: 2, z: 3 }, accuracyM: 2.34 };
  assert.equal(w.update(r).kind, "progress");
  const done = w.update({ ...r, active: false, valid: true, durationS: 3600, accuracyM: 1.9 });
  assert.deepEqual(done.kind === "done" && done.position, { ecefM: { x: 1, y: 2, z: 3 }, accuracyM: 1.9 });
  assert.equal(w.update({ ...r, active: false, valid: true }).kind, "progress");
  const text = surveyPanelText(r, w.limit);
  assert.deepEqual(text, { title: "SURVEY IN", hint: "1234/3600s 2.3m" });
  const long = surveyPanelText({ ...r, durationS: 86400, accuracyM: 123.4 }, { minDurationS: 86400, accuracyLimitM: 1 });
  assert.ok(long.title.length <= 11 && long.hint.length <= 16, JSON.stringify(long));
});
