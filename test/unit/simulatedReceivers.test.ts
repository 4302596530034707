/*
 * The fakes are faithful where the configurator and the pipeline depend on
 * them: what each protocol version accepts, what a reset forgets, how a
 * rate change is answered, what TIM-TP says about the next pulse, and that
 * bytes at the wrong rate are noise. Everything is read back through the
 * product's own framer and decoders.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import { decodeNmea } from "../../src/gnss/nmea/decodeNmea.js";
import { pmtk251, pmtk605 } from "../../src/gnss/nmea/pmtkCommands.js";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import type { GnssReport } from "../../src/gnss/report.js";
import { cfgCfgSaveAll } from "../../src/gnss/ubx/cfgCfg.js";
import { KEYS, MSGOUT_UART1 } from "../../src/gnss/ubx/cfgKeys.js";
import { cfgMsgSet } from "../../src/gnss/ubx/cfgMsg.js";
import { cfgPrt, MODE_8N1 } from "../../src/gnss/ubx/cfgPrt.js";
import { cfgRst, RESET_MODE } from "../../src/gnss/ubx/cfgRst.js";
import { cfgTmode2 } from "../../src/gnss/ubx/cfgTmode2.js";
import { cfgTp5Poll } from "../../src/gnss/ubx/cfgTp5.js";
import { cfgValSet } from "../../src/gnss/ubx/cfgVal.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { UBX } from "../../src/gnss/ubx/messageIds.js";
import { ubxPoll } from "../../src/gnss/ubx/poll.js";
import { timePulseUtcSecond } from "../../src/gnss/ubx/timTp.js";
import { planUblox } from "../../src/gnss/control/ubxPlan.js";
import { classifyUblox } from "../../src/gnss/control/identity.js";
import { DEFAULT_SETTINGS } from "../../src/gnss/control/settings.js";
import { SimulatedMediatek } from "../../sim/receivers/mediatekReceiver.js";
import { garble } from "../../sim/receivers/serialWire.js";
import type { Transmission } from "../../sim/receivers/simulatedReceiver.js";
import { DEFAULT_SKY } from "../../sim/receivers/skyState.js";
import { MAX_M10S, NEO_M8N, NEO_M8T, ZED_F9T } from "../../sim/receivers/ubloxModels.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";
import { offlinePipeline } from "../support/offline.js";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0) / 1000;

/** Frames that pass their checksum (a UBX frame's is checked by the framer, a sentence's by the decoder). */
function frames(bytes: Buffer): { frames: Frame[]; garbage: number } {
  const out: Frame[] = [];
  let garbage = 0;
  const f = new Framer({
    frame: (x) => {
      const d = x.kind === "nmea" ? decodeNmea(x.text) : undefined;
      if (x.kind === "nmea" && d && !d.ok && (d.reason === "bad-checksum" || d.reason === "missing-checksum")) garbage += x.text.length;
      else out.push(x);
    },
    reject: (_r, n) => (garbage += n),
  });
  f.push(bytes, 0);
  return { frames: out, garbage };
}

function reports(t: Transmission[] | Buffer): GnssReport[] {
  const bytes = Buffer.isBuffer(t) ? t : Buffer.concat(t.map((x) => x.bytes));
  return frames(bytes).frames.flatMap((f) => {
    const d = f.kind === "nmea" ? decodeNmea(f.text) : decodeUbx(f.msgClass, f.msgId, f.payload);
    return d.ok ? [d.report] : [];
  });
}

const acks = (t: Transmission[]): string[] => reports(t).flatMap((r) => (r.control?.kind === "ubx-ack" ? [`${r.control.accepted ? "ACK" : "NAK"} ${r.control.of.name}`] : []));

test("bytes sent at one rate and read at another are noise: not one checksummed frame in a minute of epochs", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  let heard = 0;
  let noise = 0;
  let seed = 1;
  for (let s = 0; s < 60; s++) {
    const epoch = rx.epoch(T0 + s, DEFAULT_SKY);
    for (const listen of [4800, 19200, 38400, 115200]) {
      const r = frames(garble(epoch, 9600, listen, seed++));
      heard += r.frames.length;
      noise += r.garbage;
    }
    assert.ok(frames(epoch).frames.length >= 6, "at the right rate the epoch frames");
  }
  assert.equal(heard, 0);
  assert.ok(noise > 10_000);
});

test("a u-blox answers a MON-VER poll with its identity; out of the box an M8 sends NMEA only", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const [id] = reports(rx.write(ubxPoll(UBX.MON_VER)));
  assert.deepEqual(id?.receiver, { vendor: "u-blox", firmware: "SPG 3.01", hardware: "00080000", protocol: "18.00", model: "NEO-M8N-0" });
  const out = frames(rx.epoch(T0, DEFAULT_SKY)).frames.map((f) => (f.kind === "nmea" ? f.text.slice(3, 6) : "UBX"));
  assert.deepEqual(out, ["RMC", "VTG", "GGA", "GSA", "GSV", "GSV", "GSV", "GSV", "GLL"]);
});

test("each protocol version takes its own configuration language", () => {
  const valset = cfgValSet({ ram: true, bbr: false, flash: false }, [{ key: KEYS.NAVSPG_DYNMODEL, value: 2 }]);
  const tmode2 = cfgTmode2({ mode: "survey-in", ecefCm: { x: 0, y: 0, z: 0 }, fixedPosAccMm: 0, svinMinDurS: 60, svinAccLimitMm: 2000 });
  const msg = cfgMsgSet(UBX.NAV_PVT, 1);
  assert.deepEqual(acks(new SimulatedUblox(NEO_M8N).write(valset)), ["NAK CFG-VALSET"], "M8 (protocol 18) has no VALSET");
  assert.deepEqual(acks(new SimulatedUblox(NEO_M8N).write(tmode2)), ["NAK CFG-TMODE2"], "a navigation receiver has no time mode");
  assert.deepEqual(acks(new SimulatedUblox(NEO_M8T).write(tmode2)), ["ACK CFG-TMODE2"]);
  assert.deepEqual(acks(new SimulatedUblox(ZED_F9T).write(msg)), ["ACK CFG-MSG"], "F9 still takes the legacy messages");
  assert.deepEqual(acks(new SimulatedUblox(ZED_F9T).write(tmode2)), ["NAK CFG-TMODE2"], "F9T has TMODE3, not TMODE2");
  assert.deepEqual(acks(new SimulatedUblox(MAX_M10S).write(msg)), ["NAK CFG-MSG"], "M10 refuses legacy CFG");
  assert.deepEqual(acks(new SimulatedUblox(MAX_M10S).write(valset)), ["ACK CFG-VALSET"]);
});

test("a VALSET with one key the firmware lacks is refused whole: nothing of it applies", () => {
  const rx = new SimulatedUblox(MAX_M10S);
  const r = rx.write(
    cfgValSet({ ram: true, bbr: false, flash: false }, [
      { key: KEYS.NAVSPG_DYNMODEL, value: 2 },
      { key: MSGOUT_UART1["MON-HW"], value: 5 }, // M10 has no MON-HW
    ]),
  );
  assert.deepEqual(acks(r), ["NAK CFG-VALSET"]);
  assert.equal(rx.get(KEYS.NAVSPG_DYNMODEL), 0);
});

test("a polled CFG message comes back itself, then ACK-ACK", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const r = reports(rx.write(cfgTp5Poll(0)));
  assert.deepEqual(
    r.map((x) => x.control?.kind),
    ["cfg-tp5", "ubx-ack"],
  );
});

test("a rate change is acknowledged at the new rate, which a host still at the old one cannot read", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  const t = rx.write(cfgPrt({ portId: 1, baud: 115200, mode: MODE_8N1, input: { ubx: true, nmea: true, rtcm3: false }, output: { ubx: true, nmea: true, rtcm3: false } }));
  assert.deepEqual(
    t.map((x) => x.baud),
    [115200],
  );
  assert.deepEqual(acks(t), ["ACK CFG-PRT"]);
  assert.equal(frames(garble(t[0]!.bytes, 115200, 9600, 7)).frames.length, 0);
  assert.equal(rx.baud, 115200);
});

test("CFG-RST is not acknowledged and forgets RAM; what CFG-CFG saved to BBR/flash comes back", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  rx.write(cfgMsgSet(UBX.NAV_PVT, 1));
  assert.deepEqual(rx.write(cfgRst({ navBbrMask: 0, resetMode: RESET_MODE.hardwareNow })), []);
  assert.equal(rx.outputRate("NAV-PVT"), 0);
  rx.write(cfgMsgSet(UBX.NAV_PVT, 1));
  assert.deepEqual(acks(rx.write(cfgCfgSaveAll())), ["ACK CFG-CFG"]);
  rx.write(cfgMsgSet(UBX.TIM_TP, 1)); // RAM only
  rx.write(cfgRst({ navBbrMask: 0, resetMode: RESET_MODE.software }));
  assert.deepEqual([rx.outputRate("NAV-PVT"), rx.outputRate("TIM-TP")], [1, 0]);
  // A GNSS-only reset keeps RAM.
  rx.write(cfgMsgSet(UBX.TIM_TP, 1));
  rx.write(cfgRst({ navBbrMask: 0, resetMode: RESET_MODE.gnssOnly }));
  assert.equal(rx.outputRate("TIM-TP"), 1);
});

test("TIM-TP names the next second and carries that pulse's quantisation: the sawtooth spans one clock tick, and taking qErr off flattens it", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  rx.write(cfgMsgSet(UBX.TIM_TP, 1));
  const before: number[] = [];
  const after: number[] = [];
  for (let s = 0; s < 120; s++) {
    const tp = reports(rx.epoch(T0 + s, DEFAULT_SKY)).find((r) => r.timePulse)!.timePulse!;
    const second = timePulseUtcSecond(tp, undefined);
    assert.equal(second, T0 + s + 1, "UTC time base: paired by its own time of week, to the next edge");
    const edge = rx.pulse(second!, DEFAULT_SKY)!;
    // The default configuration's cable delay (50 ns) against a 0 ns cable shifts every edge alike.
    before.push(edge.errorPs);
    after.push(edge.errorPs - tp.qErrPs!);
  }
  const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
  assert.ok(spread(before) > 0.9 * NEO_M8N.tickPs && spread(before) <= NEO_M8N.tickPs, `sawtooth ${spread(before)} ps`);
  assert.equal(spread(after), 0);
});

test("NAV-TIMELS carries an announced leap second; without a known count it says so", () => {
  const rx = new SimulatedUblox(NEO_M8N);
  rx.write(cfgMsgSet(UBX.NAV_TIMELS, 1));
  const day = 86_400;
  const sky = { ...DEFAULT_SKY, leapAnnouncement: { change: 1 as const, atUtcSecond: T0 + day } };
  const ls = reports(rx.epoch(T0, sky)).find((r) => r.leapSecond)!.leapSecond!;
  const end = Math.floor((T0 + day) / day) * day + day;
  assert.deepEqual([ls.currentLs, ls.change, ls.changeSource, ls.secondsToEvent], [18, 1, "gps", end - (T0 + 1)]);
  const unknown = reports(rx.epoch(T0 + 1, { ...DEFAULT_SKY, utcValid: false })).find((r) => r.leapSecond)!.leapSecond!;
  assert.deepEqual([unknown.currentLs, unknown.currentSource], [undefined, "default"]);
});

test("a TMODE2 survey-in reports progress in TIM-SVIN, then holds its mean as a time-only fix", () => {
  const rx = new SimulatedUblox(NEO_M8T, { surveyAccuracyAt1sM: 4 });
  rx.write(cfgMsgSet(UBX.TIM_SVIN, 1));
  rx.write(cfgMsgSet(UBX.NAV_PVT, 1));
  rx.write(cfgTmode2({ mode: "survey-in", ecefCm: { x: 0, y: 0, z: 0 }, fixedPosAccMm: 0, svinMinDurS: 20, svinAccLimitMm: 1000 }));
  const seen: { active: boolean; valid: boolean; durationS: number }[] = [];
  for (let s = 0; s < 25; s++) {
    const r = reports(rx.epoch(T0 + s, DEFAULT_SKY));
    const sv = r.find((x) => x.surveyIn)!.surveyIn!;
    seen.push({ active: sv.active, valid: sv.valid, durationS: sv.durationS });
  }
  assert.deepEqual(seen[0], { active: true, valid: false, durationS: 1 });
  const done = seen.findIndex((x) => x.valid);
  assert.equal(seen[done]!.durationS, 20, "done when both the 20 s and the 1 m limit are met");
  assert.ok(!seen[done]!.active);
  const pvt = reports(rx.epoch(T0 + 30, DEFAULT_SKY)).find((r) => r.source === "UBX-NAV-PVT")!;
  assert.equal(pvt.fixMode, "time-only");
});

test("a configured simulated receiver's epochs are what the product's time pipeline turns into samples", () => {
  const rx = new SimulatedUblox(ZED_F9T);
  for (const step of planUblox(classifyUblox({ protocol: "29.25", model: "ZED-F9T-20B", firmware: "TIM 2.25" }), {
    ...DEFAULT_SETTINGS,
    fixedPosition: { ecefM: DEFAULT_SKY.antennaEcefM, accuracyM: 0.1 },
  }).steps) {
    assert.deepEqual(acks(rx.write(step.bytes)), ["ACK CFG-VALSET"], step.name);
  }
  let nowUs = (T0 + 1) * 1e6;
  const o = offlinePipeline("2026-01-01", 3, () => nowUs);
  for (let s = 0; s < 10; s++) {
    nowUs = (T0 + s) * 1e6 + 60_000;
    o.pipeline.push(rx.epoch(T0 + s, DEFAULT_SKY), nowUs);
  }
  o.pipeline.idle(nowUs + 2e6, 1e6);
  assert.ok(o.sink.samples.length >= 6, `samples ${o.sink.samples.length}: ${o.verdicts.map((v) => (v.ok ? "ok" : v.reason)).join()}`);
  assert.deepEqual(o.sink.samples.map((x) => x.utcSecond).slice(0, 3), [T0 + 2, T0 + 3, T0 + 4], "three epochs to settle, then one sample a second");
});

test("MT3339: PMTK251 changes the rate without PMTK001; bad PMTK314 is flag 0, an unknown command flag 1; UBX is ignored", () => {
  const rx = new SimulatedMediatek();
  assert.deepEqual(rx.write(pmtk251(38400)), []);
  assert.equal(rx.baud, 38400);
  const ack = (bytes: Buffer) => reports(rx.write(bytes)).map((r) => (r.control?.kind === "pmtk-ack" ? `${r.control.command}:${r.control.flag}` : r.source));
  assert.deepEqual(ack(Buffer.from(withChecksum("$PMTK314,1,1,1") + "\r\n")), ["314:0"]);
  assert.deepEqual(ack(Buffer.from(withChecksum("$PMTK999,1") + "\r\n")), ["999:1"]);
  assert.deepEqual(ack(ubxPoll(UBX.MON_VER)), []);
  assert.deepEqual(ack(pmtk605()), ["PMTK705"]);
  assert.deepEqual(ack(encodeUbx(0x06, 0x01, Buffer.from([1, 7, 1]))), []);
});

test("MT3339 keeps its settings on its cell; a full cold start or a power cycle without the cell restores the factory set, rate included", () => {
  const withCell = new SimulatedMediatek();
  withCell.write(pmtk251(115200));
  withCell.powerCycle();
  assert.equal(withCell.baud, 115200);
  withCell.write(Buffer.from(withChecksum("$PMTK104") + "\r\n"));
  assert.equal(withCell.baud, 9600);
  const noCell = new SimulatedMediatek({ backupBattery: false });
  noCell.write(pmtk251(57600));
  const boot = reports(noCell.powerCycle());
  assert.equal(noCell.baud, 9600);
  assert.ok(boot.length === 0 || boot.every((r) => r.source !== "PMTK001"));
});
