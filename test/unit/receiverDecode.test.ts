/*
 * Decoders for what receivers say back: real payloads from the gpsd
 * captures where one exists (M8T in time mode, LEA-M8F answering gpsd's
 * configuration, ZED-F9T), otherwise payloads written out field by field
 * from the layout in UBX-13003221 / the Gen9 interface descriptions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeNmea } from "../../src/gnss/nmea/decodeNmea.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import type { GnssReport } from "../../src/gnss/report.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""), "hex");
function report(cls: number, id: number, payload: string): GnssReport {
  const d = decodeUbx(cls, id, hex(payload));
  assert.ok(d.ok, JSON.stringify(d));
  return d.report;
}

test("ACK-ACK and ACK-NAK from the LEA-M8F capture name the CFG message they answer", () => {
  assert.deepEqual(report(0x05, 0x01, "0600").control, { kind: "ubx-ack", accepted: true, of: { msgClass: 0x06, msgId: 0x00, name: "CFG-PRT" } });
  assert.deepEqual(report(0x05, 0x00, "0601").control, { kind: "ubx-ack", accepted: false, of: { msgClass: 0x06, msgId: 0x01, name: "CFG-MSG" } });
  const bad = decodeUbx(0x05, 0x01, hex("06"));
  assert.ok(!bad.ok && bad.reason === "ubx-bad-payload");
});

test("MON-VER of the LEA-M8F (protocol 16, 'KEY value' extensions) gives protocol, module and firmware", () => {
  const pad = (s: string, n: number): string => Buffer.concat([Buffer.from(s, "latin1"), Buffer.alloc(n - s.length)]).toString("hex");
  const payload = [
    pad("2.20 (81289)", 30),
    pad("00080000", 10),
    pad("2.01 (75331)", 30),
    pad("PROTVER 16.00", 30),
    pad("FIS 0xEF4015 (79189)", 30),
    pad("MOD LEA-M8F-0", 30),
    pad("FTS 1.01", 30),
    pad("GPS;SBAS;GLO;BDS;QZSS", 30),
  ].join("");
  assert.deepEqual(report(0x0a, 0x04, payload).receiver, { vendor: "u-blox", firmware: "FTS 1.01", hardware: "00080000", protocol: "16.00", model: "LEA-M8F-0" });
});

test("TIM-TP from the M8T in time mode: next pulse's time of week, qErr in ps, UTC time base", () => {
  assert.deepEqual(report(0x0d, 0x01, "b09b2d0e 00000000 15efffff 6208 0b 0f").timePulse, {
    towMs: 237_870_000,
    towSubMs: 0,
    qErrPs: -4331,
    week: 2146,
    timeBase: "utc",
    utcAvailable: true,
    raim: 2,
  });
  assert.equal(report(0x0d, 0x01, "989f2d0e 00000000 86260000 6208 0b 0f").timePulse?.qErrPs, 9862);
  // qErrInvalid (flags bit 4) hides the value rather than passing a meaningless one on.
  assert.equal(report(0x0d, 0x01, "989f2d0e 00000000 86260000 6208 1b 0f").timePulse?.qErrPs, undefined);
  assert.equal(report(0x0d, 0x01, "b09b2d0e 00000000 15efffff 6208 0b 0f").gpsTowMs, undefined, "TIM-TP names the next second: it must not open an epoch");
});

test("NAV-TIMELS from the M8T: 18 s now; GLONASS says no change, its event already past", () => {
  const r = report(0x01, 0x26, "f8892e0e 00 000000 ff 12 06 00 27b0fdff 6208 0100 000000 03");
  assert.equal(r.leapSeconds, 18);
  assert.deepEqual(r.leapSecond, { currentLs: 18, currentSource: "unknown", change: 0, changeSource: "glonass", secondsToEvent: -151513, eventGpsWeek: 2146, eventGpsDay: 1 });
  const early = report(0x01, 0x26, "f80c2e0e 00 000000 01 12 00 00 00000000 0000 0000 000000 01");
  assert.deepEqual(early.leapSecond, {
    currentLs: 18,
    currentSource: "gps-glonass-difference",
    change: undefined,
    changeSource: "none",
    secondsToEvent: undefined,
    eventGpsWeek: undefined,
    eventGpsDay: undefined,
  });
});

test("NAV-TIMELS announcing an insertion from GPS, 2 days ahead", () => {
  const r = report(
    0x01,
    0x26,
    `00000000 00 000000
    02 12                 # srcOfCurrLs GPS, currLs 18
    02 01                 # srcOfLsChange GPS, lsChange +1
    00a30200              # timeToLsEvent 172800 s
    1d09 0700             # week 2333, day 7
    000000 03`,
  );
  assert.deepEqual(r.leapSecond, { currentLs: 18, currentSource: "gps", change: 1, changeSource: "gps", secondsToEvent: 172800, eventGpsWeek: 2333, eventGpsDay: 7 });
});

test("NAV-TIMELS before the receiver knows the count reports no leap seconds at all", () => {
  const r = report(0x01, 0x26, "00000000 00 000000 00 12 00 00 00000000 0000 0000 000000 00");
  assert.equal(r.leapSeconds, undefined);
  assert.equal(r.leapSecond?.currentLs, undefined);
});

test("MON-RF of the ZED-F9T (two RF blocks): antenna ok and powered, worst jamInd of both blocks", () => {
  const r = report(0x0a, 0x38, "00020000000002010000000000000000410032131b0ca9fe9c0000000100020100000000000000002f0074100d0f990b96000000");
  assert.equal(r.antenna, "ok");
  assert.deepEqual(r.interference, { jamming: "unknown", jamIndicator: 27, antennaPower: "on", agcCount: 4914, noisePerMs: 65 });
});

test("MON-RF jammingState critical in the second block is the receiver's verdict", () => {
  const block = (flags: string, jam: string) => `00 ${flags} 02 01 00000000 00000000 4100 3213 ${jam} 00 00 00 00 000000`;
  assert.equal(report(0x0a, 0x38, `00 02 0000 ${block("01", "05")} ${block("03", "c8")}`).interference?.jamming, "critical");
});

test("MON-HW: jammingState warning, jamInd, antenna power off with an open antenna", () => {
  const p = Buffer.alloc(60);
  p.writeUInt16LE(90, 16); // noisePerMS
  p.writeUInt16LE(2500, 18); // agcCnt
  p[20] = 4; // aStatus OPEN
  p[21] = 0; // aPower OFF
  p[22] = 0b0000_1000; // jammingState 2
  p[45] = 0x50;
  const r = report(0x0a, 0x09, p.toString("hex"));
  assert.equal(r.antenna, "open");
  assert.deepEqual(r.interference, { jamming: "warning", jamIndicator: 80, antennaPower: "off", agcCount: 2500, noisePerMs: 90 });
});

test("NAV-STATUS of the M8T says no spoofing; spoofDetState 2 is 'indicated'", () => {
  assert.equal(report(0x01, 0x03, "18de2d0e 05 dd 00 08 fc3a0000 cee20100").spoofing, "none");
  assert.equal(report(0x01, 0x03, "18de2d0e 05 dd 00 10 fc3a0000 cee20100").spoofing, "indicated");
  assert.equal(report(0x01, 0x03, "18de2d0e 05 dd 00 00 fc3a0000 cee20100").spoofing, "unknown");
});

test("TIM-SVIN: mean in cm, accuracy from the variance in mm²", () => {
  const r = report(
    0x0d,
    0x04,
    `580e0000             # 3672 s
    1e140218 b383d401 e385521d                     # 4027894.06, 307045.63, 4919474.91 m
    40420f00                                       # meanV 1 000 000 mm² -> 1 m
    e70e0000 01 00 0000                            # 3815 observations, valid, not active`,
  );
  assert.deepEqual(r.surveyIn, { durationS: 3672, ecefM: { x: 4027894.06, y: 307045.63, z: 4919474.91 }, accuracyM: 1, observations: 3815, valid: true, active: false });
  // The real M8T capture, surveyed in long ago: nothing running, nothing valid.
  assert.deepEqual(report(0x0d, 0x04, "00".repeat(28)).surveyIn?.active, false);
});

test("NAV-SVIN: cm plus the 0.1 mm parts, meanAcc in 0.1 mm", () => {
  const r = report(
    0x01,
    0x3b,
    `00 000000 a0860100    # version, reserved, iTOW 100000
    2c010000                                       # dur 300 s
    1e140218 b383d401 e385521d  0c f9 00 00        # mean cm, HP +1.2/-0.7/0 mm
    b80b0000 2c010000 00 01 0000                  # meanAcc 0.3 m, 300 obs, not valid, active`,
  );
  assert.equal(r.gpsTowMs, 100000);
  const s = r.surveyIn!;
  assert.deepEqual([s.durationS, s.accuracyM, s.observations, s.valid, s.active], [300, 0.3, 300, false, true]);
  assert.ok(Math.abs(s.ecefM.x - 4027894.0612) < 1e-6 && Math.abs(s.ecefM.y - 307045.6293) < 1e-6 && s.ecefM.z === 4919474.91, JSON.stringify(s.ecefM));
});

test("CFG-VALGET reply: typed values by key, unknown keys kept by ID; a poll (version 0) from the receiver is refused", () => {
  const r = report(
    0x06,
    0x8b,
    `01 00 0000           # version 1 (reply), layer RAM, position 0
    01005240 00960000                              # CFG-UART1-BAUDRATE = 38400
    09000510 01                                    # CFG-TP-USE_LOCKED_TP1 = true
    01000530 fbff                                  # CFG-TP-ANT_CABLEDELAY = -5 ns
    99990920 07                                    # an unlisted one-byte key`,
  );
  assert.ok(r.control?.kind === "config-values");
  assert.equal(r.control.layer, "ram");
  assert.deepEqual(
    r.control.values.map((v) => [v.key.name, v.value]),
    [
      ["CFG-UART1-BAUDRATE", 38400],
      ["CFG-TP-USE_LOCKED_TP1", true],
      ["CFG-TP-ANT_CABLEDELAY", -5],
      ["0x20099999", 7],
    ],
  );
  const poll = decodeUbx(0x06, 0x8b, hex("00 00 0000 01005240"));
  assert.ok(!poll.ok && poll.reason === "ubx-bad-payload");
  const cut = decodeUbx(0x06, 0x8b, hex("01 00 0000 01005240 0096"));
  assert.ok(!cut.ok && /cut short/.test(cut.detail));
});

test("polled CFG-PRT from the LEA-M8F capture (USB port) and a CFG-TP5 poll reply decode into settings", () => {
  const prt = report(0x06, 0x00, "0300000000000000000000000700030000000000").control;
  assert.deepEqual(prt, { kind: "cfg-prt", settings: { portId: 3, mode: 0, baud: 0, input: { ubx: true, nmea: true, rtcm3: false }, output: { ubx: true, nmea: true, rtcm3: false } } });
  const tp5 = report(0x06, 0x31, "00 01 0000 3200 0000 40420f00 40420f00 00000000 a0860100 00000000 77000000").control;
  assert.ok(tp5?.kind === "cfg-tp5");
  assert.deepEqual(
    [
      tp5.settings.antCableDelayNs,
      tp5.settings.freqPeriodLock,
      tp5.settings.pulseLenRatio,
      tp5.settings.pulseLenRatioLock,
      tp5.settings.lockedOtherSet,
      tp5.settings.polarityRising,
      tp5.settings.grid,
    ],
    [50, 1_000_000, 0, 100_000, true, true, 0],
  );
});

test("PMTK001 as the documents print it; a flag outside 0..3 is malformed", () => {
  const ok = decodeNmea("$PMTK001,604,3*32");
  assert.ok(ok.ok);
  assert.deepEqual(ok.report.control, { kind: "pmtk-ack", command: 604, flag: 3 });
  const fastrax = decodeNmea("$PMTK001,313,3*31");
  assert.ok(fastrax.ok && fastrax.report.control?.kind === "pmtk-ack" && fastrax.report.control.command === 313);
  const bad = decodeNmea("$PMTK001,314,7*32");
  assert.ok(!bad.ok && bad.reason === "malformed-sentence", JSON.stringify(bad));
});
