/*
 * Golden bytes for every frame the box sends to a receiver. Each expected
 * frame is written out field by field from the layout in the document
 * cited above it, not produced by our encoder; UBX checksums (8-bit
 * Fletcher over class..payload) were computed separately from those bytes.
 * Where a document prints a whole sentence (MediaTek/Quectel examples), the
 * document's own string is the expected value.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cfgCfgSaveAll } from "../../src/gnss/ubx/cfgCfg.js";
import { KEYS, MSGOUT_UART1 } from "../../src/gnss/ubx/cfgKeys.js";
import { cfgMsgPoll, cfgMsgSet } from "../../src/gnss/ubx/cfgMsg.js";
import { cfgNav5DynModel, DYN_MODEL_STATIONARY } from "../../src/gnss/ubx/cfgNav5.js";
import { cfgPrt, cfgPrtPoll, MODE_8N1 } from "../../src/gnss/ubx/cfgPrt.js";
import { cfgRate } from "../../src/gnss/ubx/cfgRate.js";
import { cfgRst, RESET_MODE } from "../../src/gnss/ubx/cfgRst.js";
import { cfgTmode2 } from "../../src/gnss/ubx/cfgTmode2.js";
import { cfgTmode3 } from "../../src/gnss/ubx/cfgTmode3.js";
import { cfgTp5, cfgTp5Poll } from "../../src/gnss/ubx/cfgTp5.js";
import { cfgValGet, cfgValSet } from "../../src/gnss/ubx/cfgVal.js";
import { NMEA_MSG, UBX } from "../../src/gnss/ubx/messageIds.js";
import { ubxPoll } from "../../src/gnss/ubx/poll.js";
import { pmtk251, pmtk255, pmtk285, pmtk314, pmtk605 } from "../../src/gnss/nmea/pmtkCommands.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""), "hex");
const same = (actual: Buffer, expected: Buffer): void => assert.equal(actual.toString("hex"), expected.toString("hex"));

// u-blox 8 / M8 Receiver Description incl. Protocol Specification, UBX-13003221 (M8),
// and the Gen9 interface descriptions for CFG-VALSET/VALGET and the CFG-* keys.

test("MON-VER poll: class 0x0A id 0x04, empty payload", () => {
  same(ubxPoll(UBX.MON_VER), hex("b5 62 0a 04 0000  0e 34"));
});

test("CFG-MSG on the current port: class, id, rate; and the 2-byte poll", () => {
  same(cfgMsgSet(UBX.NAV_PVT, 1), hex("b5 62 06 01 0300  01 07 01  13 51"));
  same(cfgMsgSet(NMEA_MSG.GSV, 0), hex("b5 62 06 01 0300  f0 03 00  fd 15"));
  same(cfgMsgPoll(UBX.NAV_PVT), hex("b5 62 06 01 0200  01 07  11 3a"));
});

test("CFG-PRT for UART1 at 115200 8N1, UBX+NMEA in and out; and the poll by portID", () => {
  same(
    cfgPrt({ portId: 1, baud: 115200, mode: MODE_8N1, input: { ubx: true, nmea: true, rtcm3: false }, output: { ubx: true, nmea: true, rtcm3: false } }),
    hex(`b5 62 06 00 1400
         01 00 0000        # portID 1, reserved1, txReady off
         d0080000          # mode: charLen 8 bit, parity none, 1 stop bit
         00c20100          # baudRate 115200
         0300 0300         # inProtoMask, outProtoMask: UBX | NMEA
         0000 0000         # flags, reserved2
         bc 5e`),
  );
  same(cfgPrtPoll(1), hex("b5 62 06 00 0100  01  08 22"));
});

test("CFG-RATE: 1000 ms, every measurement, aligned to UTC", () => {
  same(cfgRate({ measRateMs: 1000, navRate: 1, timeRef: 0 }), hex("b5 62 06 08 0600  e803 0100 0000  00 37"));
});

test("CFG-TP5: 1 Hz rising edge on the UTC second, 100 ms only while locked, 50 ns cable delay", () => {
  same(
    cfgTp5({
      tpIdx: 0,
      antCableDelayNs: 50,
      rfGroupDelayNs: 0,
      freqPeriod: 1_000_000,
      freqPeriodLock: 1_000_000,
      pulseLenRatio: 0,
      pulseLenRatioLock: 100_000,
      userConfigDelayNs: 0,
      active: true,
      lockGnssFreq: true,
      lockedOtherSet: true,
      isFreq: false,
      isLength: true,
      alignToTow: true,
      polarityRising: true,
      grid: 0,
      syncMode: 0,
    }),
    hex(`b5 62 06 31 2000
         00 01 0000        # tpIdx 0, version 1, reserved1
         3200 0000         # antCableDelay 50 ns, rfGroupDelay 0
         40420f00          # freqPeriod 1 000 000 µs (unlocked set)
         40420f00          # freqPeriodLock 1 000 000 µs
         00000000          # pulseLenRatio 0: no pulse until locked
         a0860100          # pulseLenRatioLock 100 000 µs
         00000000          # userConfigDelay
         77000000          # flags: active|lockGnssFreq|lockedOtherSet|isLength|alignToTow|polarity, grid UTC
         4a b6`),
  );
  same(cfgTp5Poll(0), hex("b5 62 06 31 0100  00  38 e5"));
});

test("CFG-NAV5: mask selects the dynamic model only, stationary (2)", () => {
  same(cfgNav5DynModel(DYN_MODEL_STATIONARY), hex(`b5 62 06 24 2400  0100 02 ${"00".repeat(33)}  51 2c`));
});

test("CFG-TMODE2 (M8T): survey-in for 3600 s to 2000 mm; fixed ECEF position in cm with 1000 mm accuracy", () => {
  same(
    cfgTmode2({ mode: "survey-in", ecefCm: { x: 0, y: 0, z: 0 }, fixedPosAccMm: 0, svinMinDurS: 3600, svinAccLimitMm: 2000 }),
    hex(`b5 62 06 3d 1c00
         01 00 0000                 # timeMode survey-in, reserved1, flags: ECEF
         00000000 00000000 00000000 # position unused
         00000000                   # fixedPosAcc
         100e0000 d0070000          # svinMinDur 3600 s, svinAccLimit 2000 mm
         55 be`),
  );
  same(
    cfgTmode2({ mode: "fixed", ecefCm: { x: 402789406, y: 30704563, z: 491947491 }, fixedPosAccMm: 1000, svinMinDurS: 0, svinAccLimitMm: 0 }),
    hex(`b5 62 06 3d 1c00
         02 00 0000
         1e140218 b383d401 e385521d # 4027894.06 m, 307045.63 m, 4919474.91 m
         e8030000 00000000 00000000
         7a 02`),
  );
});

test("CFG-TMODE3 (F9T): fixed with the 0.1 mm parts, accuracy in 0.1 mm; survey-in limit in 0.1 mm", () => {
  same(
    cfgTmode3({ mode: "fixed", ecefCm: { x: 402789406, y: 30704563, z: 491947491 }, ecefHp: { x: 12, y: -7, z: 0 }, fixedPosAcc01Mm: 10000, svinMinDurS: 0, svinAccLimit01Mm: 0 }),
    hex(`b5 62 06 71 2800
         00 00 0200                 # version 0, reserved1, flags: rcvrMode fixed, ECEF
         1e140218 b383d401 e385521d # cm
         0c f9 00 00                # HP +1.2 mm, -0.7 mm, 0; reserved2
         10270000 00000000 00000000 # fixedPosAcc 1 m, svinMinDur, svinAccLimit
         0000000000000000           # reserved3
         0b 09`),
  );
  same(
    cfgTmode3({ mode: "survey-in", ecefCm: { x: 0, y: 0, z: 0 }, ecefHp: { x: 0, y: 0, z: 0 }, fixedPosAcc01Mm: 0, svinMinDurS: 3600, svinAccLimit01Mm: 20000 }),
    hex(`b5 62 06 71 2800  00 00 0100  ${"00".repeat(16)}  00000000 100e0000 204e0000 ${"00".repeat(8)}  2c 65`),
  );
});

test("CFG-VALSET in RAM: key IDs little-endian, each value in its key's size (U4, U4, L as one byte, I2, E1)", () => {
  same(
    cfgValSet({ ram: true, bbr: false, flash: false }, [
      { key: KEYS.TP_PERIOD_TP1, value: 1_000_000 },
      { key: KEYS.TP_LEN_LOCK_TP1, value: 100_000 },
      { key: KEYS.TP_USE_LOCKED_TP1, value: true },
      { key: KEYS.TP_ANT_CABLEDELAY, value: 50 },
      { key: KEYS.NAVSPG_DYNMODEL, value: 2 },
    ]),
    hex(`b5 62 06 8a 2400
         00 01 0000                 # version 0, layers RAM, reserved
         02000540 40420f00          # CFG-TP-PERIOD_TP1 0x40050002 = 1 000 000 µs
         05000540 a0860100          # CFG-TP-LEN_LOCK_TP1 0x40050005 = 100 000 µs
         09000510 01                # CFG-TP-USE_LOCKED_TP1 0x10050009 = true
         01000530 3200              # CFG-TP-ANT_CABLEDELAY 0x30050001 = 50 ns
         21001120 02                # CFG-NAVSPG-DYNMODEL 0x20110021 = stationary
         d9 8f`),
  );
  same(cfgValSet({ ram: true, bbr: false, flash: false }, [{ key: KEYS.UART1_BAUDRATE, value: 115200 }]), hex("b5 62 06 8a 0c00  00 01 0000  01005240 00c20100  f3 a5"));
});

test("CFG-VALGET poll: version 0, layer RAM, position 0, then the keys", () => {
  same(cfgValGet("ram", [KEYS.UART1_BAUDRATE]), hex("b5 62 06 8b 0800  00 00 0000  01005240  2c 79"));
});

test("the MSGOUT keys name the UART1 output of the messages they say", () => {
  // Spot checks against the interface description's key table.
  assert.equal(MSGOUT_UART1["NAV-PVT"].id, 0x20910007);
  assert.equal(MSGOUT_UART1["TIM-TP"].id, 0x2091017e);
  assert.equal(MSGOUT_UART1["NAV-TIMELS"].id, 0x20910061);
  assert.equal(MSGOUT_UART1["MON-RF"].id, 0x2091035a);
  assert.equal(MSGOUT_UART1.RMC.id, 0x209100ac);
  assert.equal(MSGOUT_UART1.GSV.id, 0x209100c5);
});

test("CFG-CFG: save every section to BBR and flash", () => {
  same(cfgCfgSaveAll(), hex("b5 62 06 09 0d00  00000000 1f1f0000 00000000 03  5d cb"));
});

test("CFG-RST: hot start, controlled software reset", () => {
  same(cfgRst({ navBbrMask: 0, resetMode: RESET_MODE.software }), hex("b5 62 06 04 0400  0000 01 00  0f 66"));
});

// MediaTek: GlobalTop "PMTK command packet" Rev. A08 (MT3339) and Quectel "L80 GPS Protocol Specification" §3.

test("PMTK251 as printed in L80 §3.14", () => {
  assert.equal(pmtk251(38400).toString("latin1"), "$PMTK251,38400*27\r\n");
  assert.throws(() => pmtk251(12345), /not one MediaTek offers/);
});

test("PMTK314 as printed in L80 §3.19 (GLL, RMC, VTG, GGA, GSA every fix, GSV every fifth, ZDA every fix)", () => {
  assert.equal(pmtk314({ GLL: 1, RMC: 1, VTG: 1, GGA: 1, GSA: 1, GSV: 5, ZDA: 1 }).toString("latin1"), "$PMTK314,1,1,1,1,1,5,0,0,0,0,0,0,0,0,0,0,0,1,0*2D\r\n");
  assert.equal(pmtk314({ GLL: 1, RMC: 1, VTG: 1, GGA: 1, GSA: 1, GSV: 5 }).toString("latin1"), "$PMTK314,1,1,1,1,1,5,0,0,0,0,0,0,0,0,0,0,0,0,0*2C\r\n", "GlobalTop Rev. A08 example");
  assert.throws(() => pmtk314({ RMC: 6 }), /0\.\.5/);
});

test("PMTK605 as printed in L80 §3.25", () => {
  assert.equal(pmtk605().toString("latin1"), "$PMTK605*31\r\n");
});

test("PMTK255 and PMTK285 written from their layouts (checksums XOR-ed by hand)", () => {
  // "PMTK255,1": P^M^T^K^2^5^5^,^1 = 0x2D
  assert.equal(pmtk255(true).toString("latin1"), "$PMTK255,1*2D\r\n");
  // PPS type 3 (2D/3D fix only), 100 ms: 0x3F
  assert.equal(pmtk285("2d-3d-fix", 100).toString("latin1"), "$PMTK285,3,100*3F\r\n");
  assert.throws(() => pmtk285("always", 0), /1\.\.999/);
});
