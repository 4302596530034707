/*
 * LCD bench: what an hour of the front panel at 1 Hz costs on the I2C bus,
 * against the cost of the naive way (clear the display and write every cell,
 * every second), for the same screens.
 *
 * Both run the real page renderer and HD44780 driver against the byte-level
 * emulator in virtual time; the emulator decodes both byte streams, and every
 * second the two glasses must read the same (a cheaper stream that showed
 * something else would be no saving). The box is healthy; chrony's offset,
 * rms and the NTP request rate change at every chrony poll (5 s), the client
 * count every minute, as they do on a working server.
 *
 * Cases: the time page alone (lcd.pages = time: the steady 1 Hz clock), and
 * the default rotation (a page every 5 s) on 16x2 and 20x4. A measurement, not a test:
 * exit 0 unless the two glasses disagree.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FrontPanel } from "../src/display/frontPanel.js";
import { Hd44780 } from "../src/display/hd44780.js";
import { encodeCell } from "../src/display/frameWriter.js";
import { PAGES, renderScreen, type PageId } from "../src/display/pages.js";
import { COMMON_PIN_MAP } from "../src/display/pcf8574Pins.js";
import { LcdEmulator } from "../sim/fakes/lcdEmulator.js";
import { createLogger } from "../src/log/logger.js";
import type { StatusSnapshot } from "../src/status/contract.js";
import { healthySnapshot } from "../test/support/snapshot.js";
import { VirtualClock } from "../sim/fakes/virtualClock.js";

const SECONDS = Number(process.env.BENCH_LCD_SECONDS ?? 3600);
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0) * 1000;

/** A deterministic PRNG (mulberry32), so every run measures the same hour. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The healthy box of the panel tests, with the figures that move on a working server moving. */
function livelySnapshots(): (nowUs: number) => StatusSnapshot {
  const rnd = prng(42);
  let offset = 1e-7;
  let rms = 3e-7;
  let rate = 40;
  let clients = 300;
  let lastPoll = -1;
  let lastMinute = -1;
  return (nowUs) => {
    const s = healthySnapshot(nowUs);
    const sec = Math.floor((nowUs - T0) / 1e6);
    if (Math.floor(sec / 5) !== lastPoll) {
      lastPoll = Math.floor(sec / 5);
      offset = offset * 0.5 + (rnd() - 0.5) * 6e-7;
      rms = 2e-7 + rnd() * 4e-7;
      rate = Math.max(0, rate + (rnd() - 0.5) * 10);
    }
    if (Math.floor(sec / 60) !== lastMinute) {
      lastMinute = Math.floor(sec / 60);
      clients = Math.max(0, clients + Math.round((rnd() - 0.5) * 20));
    }
    s.chrony!.tracking!.lastOffsetS = offset;
    s.chrony!.tracking!.rmsOffsetS = rms;
    s.chrony!.ntp = { received: 0, dropped: 0, perSecond: rate, clients };
    s.host!.uptimeS = 86400 + sec;
    return s;
  };
}

interface CaseFigures {
  case: string;
  seconds: number;
  panel: { bytes: number; writes: number; bytesPerSecond: number; writesPerSecond: number };
  naive: { bytes: number; writes: number; bytesPerSecond: number; writesPerSecond: number };
  bytesRatio: number;
  writesRatio: number;
  glassesDisagreed: number;
}

async function runCase(name: string, cols: number, rows: number, pages: readonly PageId[], pageS: number): Promise<CaseFigures> {
  const clock = new VirtualClock(T0);
  const onWire = (us: number): void => void (clock.nowUs += us);
  const delayUs = async (us: number): Promise<void> => void (clock.nowUs += us);
  const panelGlass = new LcdEmulator(0x27, cols, rows, () => clock.nowUs, COMMON_PIN_MAP, onWire);
  const naiveGlass = new LcdEmulator(0x27, cols, rows, () => clock.nowUs, COMMON_PIN_MAP, onWire);
  const panel = new FrontPanel(
    panelGlass,
    clock,
    createLogger(() => undefined),
    { address: 0x27, pins: COMMON_PIN_MAP, geometry: { cols, rows }, pageS, pages, delayUs },
  );
  const naive = new Hd44780(naiveGlass, 0x27, COMMON_PIN_MAP, { cols, rows }, delayUs);
  const snapshot = livelySnapshots();
  // Both start from an initialised display with the first screen on it; the hour is what is counted.
  let baseline: { panel: { bytes: number; writes: number }; naive: { bytes: number; writes: number } } | undefined;
  let disagreed = 0;
  for (let i = 0; i <= SECONDS; i++) {
    clock.advanceTo(T0 + i * 1e6 + 5000);
    const s = snapshot(clock.nowUs);
    panel.show(s);
    await panel.idle();
    if (naive.needsInit) await naive.init();
    naive.command(0x01); // clear: 1.52 ms before the next instruction
    await naive.flush();
    await delayUs(2000);
    const screen = renderScreen(s, { cols, rows }, clock.nowUs, pageS, pages);
    for (let r = 0; r < rows; r++) {
      naive.moveTo(0, r);
      for (const ch of screen.lines[r]!) naive.data(encodeCell(ch));
    }
    await naive.flush();
    if (panelGlass.screen().join("\n") !== naiveGlass.screen().join("\n")) disagreed += 1;
    if (i === 0) baseline = { panel: { ...panel.status() }, naive: { ...naive.counters } };
  }
  const st = panel.status();
  const p = { bytes: st.bytes - baseline!.panel.bytes, writes: st.writes - baseline!.panel.writes };
  const n = { bytes: naive.counters.bytes - baseline!.naive.bytes, writes: naive.counters.writes - baseline!.naive.writes };
  return {
    case: name,
    seconds: SECONDS,
    panel: { ...p, bytesPerSecond: p.bytes / SECONDS, writesPerSecond: p.writes / SECONDS },
    naive: { ...n, bytesPerSecond: n.bytes / SECONDS, writesPerSecond: n.writes / SECONDS },
    bytesRatio: p.bytes / n.bytes,
    writesRatio: p.writes / n.writes,
    glassesDisagreed: disagreed,
  };
}

async function main(): Promise<void> {
  const cases = [
    await runCase("16x2, lcd.pages = time (a steady 1 Hz clock)", 16, 2, ["time"], 10),
    await runCase("16x2, all five pages, 10 s each (default)", 16, 2, PAGES, 10),
    await runCase("16x2, all five pages, 5 s each", 16, 2, PAGES, 5),
    await runCase("16x2, all five pages, 15 s each", 16, 2, PAGES, 15),
    await runCase("20x4, time on top, four pages below, 10 s each (default)", 20, 4, PAGES, 10),
  ];
  console.log(`\nLCD bench: ${SECONDS} s of 1 Hz updates, I2C cost against clearing and rewriting every cell each second\n`);
  console.log("| case | bytes/s | writes/s | naive bytes/s | naive writes/s | bytes ratio | writes ratio | glasses disagreed |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const c of cases) {
    console.log(
      `| ${c.case} | ${c.panel.bytesPerSecond.toFixed(1)} | ${c.panel.writesPerSecond.toFixed(2)} | ${c.naive.bytesPerSecond.toFixed(1)} | ${c.naive.writesPerSecond.toFixed(2)} | 1/${(1 / c.bytesRatio).toFixed(1)} | 1/${(1 / c.writesRatio).toFixed(1)} | ${c.glassesDisagreed} |`,
    );
  }
  const out = join(fileURLToPath(new URL("../../bench/results", import.meta.url)));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "lcd.json"), JSON.stringify({ date: new Date().toISOString(), cases }, null, 2) + "\n");
  console.log(`\nresults: bench/results/lcd.json`);
  if (cases.some((c) => c.glassesDisagreed > 0)) process.exit(1);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
