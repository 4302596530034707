/* The LCD driver against the byte-level PCF8574 + HD44780 emulator: what a person would see, and what it cost on the bus. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CMD, Hd44780 } from "../../src/display/hd44780.js";
import { FrameWriter } from "../../src/display/frameWriter.js";
import { COMMON_PIN_MAP, parsePinMap, type PinMap } from "../../src/display/pcf8574Pins.js";
import { LcdEmulator } from "../../sim/fakes/lcdEmulator.js";

function rig(cols = 16, rows = 2, pins: PinMap = COMMON_PIN_MAP) {
  let t = 1_000_000;
  const emu = new LcdEmulator(
    0x27,
    cols,
    rows,
    () => t,
    pins,
    (us) => (t += us),
  );
  const lcd = new Hd44780(emu, 0x27, pins, { cols, rows }, async (us) => {
    t += us;
  });
  return { emu, lcd, frames: new FrameWriter(lcd), advance: (us: number) => (t += us) };
}

test("init follows the HD44780U datasheet's 4-bit initialisation by instruction, with its waits", async () => {
  const { emu, lcd } = rig();
  await lcd.init();
  const seq = emu.log.map((i) => [i.width, i.value]);
  assert.deepEqual(seq, [
    [8, 0x30], // function set, 8-bit (after > 40 ms)
    [8, 0x30], // again after > 4.1 ms
    [8, 0x30], // again after > 100 µs
    [8, 0x20], // switch to 4-bit
    [4, CMD.functionSet4bitTwoLines],
    [4, CMD.displayOff],
    [4, CMD.clear],
    [4, CMD.entryIncrement],
    [4, CMD.displayOn],
  ]);
  assert.deepEqual(emu.busyViolations, [], "no instruction while the controller was busy");
  assert.ok(emu.displayOn && !emu.cursorOn && !emu.blinkOn && emu.twoLines && emu.backlight);
});

test("init recovers a controller left mid-byte in 4-bit mode (the Pi rebooted, the LCD did not)", async () => {
  const { emu, lcd, frames } = rig();
  await lcd.init();
  lcd.data(0x41);
  // Half a character: the controller now waits for a low nibble.
  await emu.write(0x27, Buffer.from([0x4d, 0x49]));
  await lcd.init();
  await frames.render(["recovered", ""]);
  assert.equal(emu.screen()[0], "recovered       ");
});

test("16x2 and 20x4: text lands on the right rows; custom glyphs are defined in CGRAM and shown", async () => {
  for (const [cols, rows] of [
    [16, 2],
    [20, 4],
  ] as const) {
    const { emu, lcd, frames } = rig(cols, rows);
    await lcd.init();
    const lines = ["2026-11-22 12:34:56", "LOCKED PPS +0.2us", "sats 12/23 3D", "10.0.0.7  51°C"].slice(0, rows);
    await frames.render(lines);
    assert.deepEqual(
      emu.screen(),
      lines.map((l) => l.slice(0, cols).padEnd(cols)),
    );
  }
  const { emu, lcd, frames } = rig();
  await lcd.init();
  const satellite = [0b00100, 0b01110, 0b11111, 0b00100, 0b01110, 0b10101, 0b00100, 0b00000];
  frames.defineGlyph(0, satellite);
  await frames.render(["\x00 12", "a\\b ~"]);
  assert.deepEqual(emu.glyph(0), satellite);
  assert.deepEqual(emu.screen(), ["\x00 12            ", "a/b -           "]);
});

test("only changed cells go on the bus: a new second costs one cursor move and one character", async () => {
  const { emu, lcd, frames } = rig();
  await lcd.init();
  await frames.render(["12:34:56 UTC", "LOCKED PPS"]);
  const before = { ...lcd.counters };
  await frames.render(["12:34:57 UTC", "LOCKED PPS"]);
  assert.equal(emu.screen()[0], "12:34:57 UTC    ");
  assert.deepEqual({ bytes: lcd.counters.bytes - before.bytes, writes: lcd.counters.writes - before.writes }, { bytes: 8, writes: 1 });
  const again = { ...lcd.counters };
  await frames.render(["12:34:57 UTC", "LOCKED PPS"]);
  assert.equal(lcd.counters.bytes, again.bytes, "an unchanged frame sends nothing");
  // Two adjacent changes share one cursor move.
  await frames.render(["12:35:00 UTC", "LOCKED PPS"]);
  assert.equal(lcd.counters.bytes - again.bytes, 4 + 4 * 4);
  assert.deepEqual(emu.busyViolations, []);
});

test("an I2C error mid-update (half a transfer reached the chip), and a display unplugged and power-cycled: re-initialised, the next frame complete", async () => {
  const { emu, lcd, frames } = rig();
  await lcd.init();
  await frames.render(["first", "frame"]);
  emu.failNext(1);
  await assert.rejects(frames.render(["second", "frame"]), /EREMOTEIO/);
  await frames.render(["second", "frame"]);
  assert.deepEqual(emu.screen(), ["second          ", "frame           "]);
  emu.unplug();
  await assert.rejects(frames.render(["third", "frame"]), /ENXIO/);
  emu.plugIn();
  assert.deepEqual(emu.screen(), [" ".repeat(16), " ".repeat(16)], "a power-cycled display is blank and off");
  await frames.render(["third", "frame"]);
  assert.deepEqual(emu.screen(), ["third           ", "frame           "]);
});

test("another backpack wiring is configured by pin map, and the emulator decodes it the same way", async () => {
  const pins = parsePinMap("4,5,6,7,0,1,2,3");
  assert.ok(pins);
  const { emu, lcd, frames } = rig(16, 2, pins);
  await lcd.init();
  await frames.render(["swapped wiring", "still readable"]);
  assert.deepEqual(emu.screen(), ["swapped wiring  ", "still readable  "]);
  assert.equal(parsePinMap("0,1,2,3,4,5,6,6"), undefined);
  assert.equal(parsePinMap("0,1,2"), undefined);
});
