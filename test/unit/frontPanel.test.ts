/*
 * The front panel end to end below the I2C bus: status snapshots in, the real
 * page renderer, frame writer and HD44780 driver, and the byte-level
 * PCF8574 + HD44780 emulator decoding what a person would read on the glass.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FrontPanel, type FrontPanelOptions } from "../../src/display/frontPanel.js";
import { GLYPH_ROWS } from "../../src/display/glyphs.js";
import { PAGES, type PageId } from "../../src/display/pages.js";
import { COMMON_PIN_MAP } from "../../src/display/pcf8574Pins.js";
import { LcdEmulator } from "../../sim/fakes/lcdEmulator.js";
import type { I2cBus } from "../../src/hal/i2cBus.js";
import { createLogger } from "../../src/log/logger.js";
import { AlarmTracker, alarmConditions } from "../../src/status/alarms.js";
import type { SnapshotFacts } from "../../src/status/contract.js";
import { completeSnapshot } from "../../src/status/snapshot.js";
import { healthyFacts } from "../support/snapshot.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

/** 2026-11-22 12:00:00 UTC, a Sunday; a multiple of 25 s, so the 5 s pages start with the first. */
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0) * 1000;

/** Counts every transfer offered to the bus, answered or not. */
class CountingBus implements I2cBus {
  readonly name: string;
  attempts = 0;
  constructor(readonly inner: I2cBus) {
    this.name = inner.name;
  }
  write(address: number, bytes: Buffer): Promise<void> {
    this.attempts += 1;
    return this.inner.write(address, bytes);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function rig(size: "16x2" | "20x4" = "16x2", emuAddress = 0x27, address: FrontPanelOptions["address"] = "auto", pages: readonly PageId[] = PAGES) {
  const [cols, rows] = size === "16x2" ? [16, 2] : [20, 4];
  const clock = new VirtualClock(T0);
  const emu = new LcdEmulator(
    emuAddress,
    cols,
    rows,
    () => clock.nowUs,
    COMMON_PIN_MAP,
    (us) => (clock.nowUs += us),
  );
  const bus = new CountingBus(emu);
  const logLines: string[] = [];
  const log = createLogger((l) => logLines.push(l), "debug");
  const panel = new FrontPanel(bus, clock, log, {
    address,
    pins: COMMON_PIN_MAP,
    geometry: { cols, rows },
    pageS: 5,
    pages,
    delayUs: async (us) => {
      clock.nowUs += us;
    },
  });
  const tracker = new AlarmTracker(log);
  /** Runs the service's once-a-second tick from now until `seconds` have passed; returns what the glass showed each second. */
  async function run(seconds: number, facts: (nowUs: number) => SnapshotFacts = healthyFacts): Promise<Array<{ at: number; screen: string[]; backlight: boolean; view: string | null }>> {
    const seen = [];
    for (let i = 0; i < seconds; i++) {
      const second = Math.floor(clock.nowUs / 1e6) + 1;
      clock.advanceTo(second * 1e6 + 5000);
      const now = clock.nowUs;
      const f = facts(now);
      const s = completeSnapshot(f, tracker.update(alarmConditions(f, now), now), now);
      panel.show(s);
      await panel.idle();
      seen.push({ at: second, screen: emu.screen(), backlight: emu.backlight, view: panel.status().view });
    }
    return seen;
  }
  return { clock, emu, bus, panel, run, logLines };
}

const byView = (seen: Array<{ screen: string[]; view: string | null }>): Map<string, string[]> => new Map(seen.map((x) => [x.view ?? "(none)", x.screen]));

test("16x2: time, sync, GPS, host and NTP pages rotate every 5 s, each as a person reads it", async () => {
  const { emu, run } = rig();
  const seen = await run(25);
  const pages = byView(seen);
  assert.deepEqual([...pages.keys()], ["time", "sync", "gps", "host", "ntp"]);
  assert.deepEqual(seen[0]!.screen, ["12:00:01 UTC \x01S1", "Sun 2026-11-22  "], "clock with the lock glyph and chrony's stratum");
  assert.deepEqual(seen[1]!.screen, ["12:00:02 UTC \x01S1", "Sun 2026-11-22  "], "the clock moves every second");
  assert.deepEqual(pages.get("sync"), ["LOCKED PPS    S1", "offset +123ns   "]);
  assert.deepEqual(pages.get("gps"), ["\x00 9/14 3D    \x02OK", "PPS OK          "]);
  assert.deepEqual(pages.get("host"), ["192.168.1.50    ", "48°C    up 3d04h"]);
  assert.deepEqual(pages.get("ntp"), ["NTP clients  317", "requests/s  42.5"]);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => emu.glyph(i)),
    GLYPH_ROWS,
    "satellite, lock, antenna and warning glyphs are in CGRAM",
  );
  assert.ok(
    seen.every((x) => x.backlight),
    "no alarm: the backlight stays on",
  );
  assert.deepEqual(emu.busyViolations, [], "no instruction reached the controller while it was busy");
});

test("20x4: the time stays on top, the other pages rotate below, with the offset's rms and the pulse delay", async () => {
  const { run } = rig("20x4");
  const seen = await run(20);
  assert.ok(seen.every((x) => x.screen[0]!.endsWith(" UTC     \x01S1") && x.screen[1] === "Sun 2026-11-22      "));
  const pages = byView(seen);
  assert.deepEqual([...pages.keys()], ["sync", "gps", "host", "ntp"]);
  assert.deepEqual(pages.get("sync")!.slice(2), ["LOCKED PPS".padEnd(18) + "S1", "ofs +123ns rms 456ns"]);
  assert.deepEqual(pages.get("gps")!.slice(2), ["\x00 9/14 3D".padEnd(17) + "\x02OK", "PPS OK".padEnd(14) + "+102ms"]);
});

/** Each alarm from the condition that raises it, with the screen a person sees. */
const ALARMS: Array<{ name: string; make: (s: SnapshotFacts, nowUs: number) => void; screen: [string, string] }> = [
  {
    name: "receiver silent",
    make: (s, now) => {
      s.device.lastDataAt = s.device.lastReportAt = new Date(now / 1000 - 10_000).toISOString();
    },
    screen: ["\x03NO GPS DATA", "GPS TX to Pi RX?"],
  },
  {
    name: "bytes that never decode (wrong baud)",
    make: (s, now) => {
      s.device.lastReportAt = new Date(now / 1000 - 10_000).toISOString();
    },
    screen: ["\x03GPS GARBLED", "check baud rate"],
  },
  {
    name: "serial device missing",
    make: (s) => {
      s.device.state = "missing";
      s.device.detail = "/dev/serial0 does not exist";
    },
    screen: ["\x03NO GPS DATA", "serial device?"],
  },
  {
    name: "no fix",
    make: (s) => {
      s.fix.mode = "none";
      s.time.state = "receiver-invalid";
      if (s.pps) s.pps.state = "pulse-without-time";
    },
    screen: ["\x03NO FIX", "antenna/sky view"],
  },
  {
    name: "receiver's date refused (GPS week rollover)",
    make: (s) => {
      s.time.state = "gps-week-rollover";
      s.time.detail = "receiver date 1999-08-22T00:02:31Z is 1024 weeks behind the host clock: firmware GPS week-rollover bug, update the receiver firmware";
    },
    screen: ["\x03WRONG DATE", "GPS fw rollover?"],
  },
  {
    name: "no pulse",
    make: (s) => {
      if (s.pps) {
        s.pps.state = "no-pulse";
        s.pps.lastPulseAt = null;
      }
    },
    screen: ["\x03NO PPS", "PPS wire/GPIO?"],
  },
  { name: "antenna open", make: (s) => void (s.antenna = { state: "open", source: "GNTXT", since: null }), screen: ["\x03ANT OPEN", "antenna cable"] },
  { name: "antenna short", make: (s) => void (s.antenna = { state: "short", source: "UBX-MON-HW", since: null }), screen: ["\x03ANT SHORT", "antenna cable"] },
  { name: "leap second pending", make: (s) => void (s.chrony!.tracking!.leap = "insert"), screen: ["\x03LEAP SECOND", "+1s at 23:59:60"] },
  { name: "chrony not synchronised", make: (s) => void (s.chrony!.tracking!.leap = "unsynchronised"), screen: ["\x03NOT SYNCED", "chrony no source"] },
  {
    name: "chrony down",
    make: (s) =>
      void (s.chrony = { reachable: false, error: "chronyd not reachable on /run/chrony/chronyd.sock", updatedAt: null, tracking: null, selected: null, sources: [], ntp: null, ntpUnavailable: null }),
    screen: ["\x03CHRONY DOWN", "systemctl chrony"],
  },
  {
    name: "service degraded (chrony's SOCK socket gone)",
    make: (s) => void (s.sinks["chrony-sock"] = { state: "failing", reason: "ENOENT", delivered: 10, failed: 3 }),
    screen: ["\x03DEGRADED", "chrony-sock: ENO"],
  },
];

for (const a of ALARMS) {
  test(`alarm takes over the screen${a.name === "leap second pending" ? " (a notice: the backlight stays on)" : " and blinks the backlight"}: ${a.name}`, async () => {
    const { run, logLines } = rig();
    const faulty = (now: number): SnapshotFacts => {
      const s = healthyFacts(now);
      a.make(s, now);
      return s;
    };
    const seen = await run(10, faulty);
    assert.ok(!seen[0]!.view?.startsWith("alarm:"), "a condition is not an alarm before it has held 3 s");
    const shown = seen.filter((x) => x.view?.startsWith("alarm:"));
    assert.ok(shown.length >= 6, `alarm shown from the 4th second on (${shown.length} s)`);
    assert.deepEqual(
      shown.at(-1)!.screen,
      a.screen.map((l) => l.padEnd(16)),
    );
    const notice = a.name === "leap second pending";
    assert.deepEqual(
      shown.map((x) => x.backlight),
      shown.map((x) => notice || x.at % 2 === 0),
      notice ? "a notice does not blink" : "backlight on in even seconds, off in odd",
    );
    assert.equal(logLines.filter((l) => l.includes("alarm:")).length, 1, "raised once in the log");
    const after = await run(6);
    assert.ok(
      after.every((x) => !x.view?.startsWith("alarm:") && x.backlight),
      "cleared: pages again, backlight steady",
    );
    assert.equal(logLines.filter((l) => l.includes("alarm cleared")).length, 1);
  });
}

test("several alarms take turns, numbered, and the 20x4 keeps the clock above them", async () => {
  const { run } = rig("20x4");
  const seen = await run(20, (now) => {
    const s = healthyFacts(now);
    s.fix.mode = "none";
    s.time.state = "receiver-invalid";
    s.antenna = { state: "open", source: "GNTXT", since: null };
    return s;
  });
  const alarmRows = new Set(seen.filter((x) => x.view?.startsWith("alarm:")).map((x) => x.screen[2]));
  assert.deepEqual([...alarmRows].sort(), ["\x03ANT OPEN".padEnd(17) + "1/2", "\x03NO FIX".padEnd(17) + "2/2"]);
  const alarmed = seen.filter((x) => x.view?.startsWith("alarm:"));
  assert.ok(alarmed.length >= 16 && alarmed.every((x) => / UTC /.test(x.screen[0]!) && x.screen[0]!.endsWith("\x03S1")), "clock on top, warning glyph beside it");
});

test("no display at start: one log line, retries backing off to a minute, found when plugged in", async () => {
  const { emu, bus, run, panel, logLines } = rig();
  emu.unplug();
  await run(130);
  const warnings = logLines.filter((l) => l.startsWith("<4>lcd:"));
  assert.equal(warnings.length, 1, "logged once, not once per retry");
  assert.match(warnings[0]!, /no display answered at 0x27 and 0x3f .*set lcd\.address/);
  // Retries after 1, 2, 4, 8, 16, 32, 60, 60 s: each tries both addresses.
  assert.ok(bus.attempts >= 14 && bus.attempts <= 20, `${bus.attempts} transfers offered in 130 s`);
  assert.equal(panel.status().state, "absent");
  emu.plugIn();
  const seen = await run(61);
  assert.ok(
    seen.some((x) => x.view === "time" || x.view === "sync"),
    "drawn once the display answers",
  );
  assert.ok(logLines.some((l) => /lcd: display back at 0x27/.test(l)));
  assert.equal(panel.status().state, "ok");
});

test("a NACK mid-update and a display unplugged and power-cycled: the service logs once, re-initialises and redraws everything", async () => {
  const { emu, run, panel, logLines } = rig();
  await run(3);
  emu.failNext(1);
  const afterNack = await run(3);
  assert.equal(afterNack.at(-1)!.view, "sync");
  assert.deepEqual(afterNack.at(-1)!.screen, ["LOCKED PPS    S1", "offset +123ns   "], "complete again a second or two later");
  emu.unplug();
  await run(10);
  emu.plugIn(); // powered up blank, in 8-bit mode, CGRAM lost
  const seen = await run(20);
  const last = seen.at(-1)!;
  assert.equal(last.view, "gps");
  assert.deepEqual(last.screen, ["\x00 9/14 3D    \x02OK", "PPS OK          "], "every cell redrawn, glyphs defined again");
  assert.deepEqual(emu.glyph(0), GLYPH_ROWS[0]);
  assert.equal(logLines.filter((l) => l.startsWith("<4>lcd:")).length, 2, "one line for the NACK, one for the unplugged display");
  assert.equal(logLines.filter((l) => l.includes("display back")).length, 2);
  assert.equal(panel.status().inits, 3);
  assert.deepEqual(emu.busyViolations, []);
});

test("lcd.address auto finds a PCF8574A backpack at 0x3f; a fixed wrong address is reported with the fix", async () => {
  const auto = rig("16x2", 0x3f);
  await auto.run(2);
  assert.equal(auto.panel.status().address, "0x3f");
  assert.match(auto.emu.screen()[0]!, /^12:00:02 UTC/);
  const wrong = rig("16x2", 0x3f, 0x27);
  await wrong.run(2);
  assert.equal(wrong.panel.status().state, "absent");
  assert.match(wrong.logLines.join("\n"), /no display answered at 0x27 .*lcd\.address/);
});

test("the status reports the bus cost the display really had: a steady clock costs a handful of bytes a second", async () => {
  const { run, panel, emu } = rig("16x2", 0x27, "auto", ["time"]);
  await run(5);
  const before = { ...panel.status() };
  await run(60);
  const st = panel.status();
  assert.deepEqual(emu.screen(), ["12:01:05 UTC \x01S1", "Sun 2026-11-22  "], "lcd.pages = time: the clock alone");
  assert.ok(Math.abs(st.bytesPerSecond - (st.bytes - before.bytes) / 60) < 1e-9, `${st.bytesPerSecond} B/s reported`);
  assert.ok(st.bytesPerSecond <= 12, `${st.bytesPerSecond.toFixed(1)} B/s: a full 16x2 redraw alone is ${32 * 4 + 8} bytes`);
  assert.ok(st.writesPerSecond <= 1.2, `${st.writesPerSecond} transfers/s`);
});
