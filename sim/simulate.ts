#!/usr/bin/env node
/*
 * The whole appliance in simulation, for a newcomer's first minute: a real
 * chronyd, a simulated receiver (a real capture replayed through a pty in real
 * time, rewritten to the current seconds) and the real stratum1d in between.
 * A fake kernel PPS directory gets an edge at every second (the host clock
 * playing a receiver's pulse), so the pulse path runs too, and the daemon
 * draws its front panel on an emulated I2C bus whose LCD is shown here. The
 * receiver tells a story: a cold start without fix, the capture with its fix,
 * then the fix lost for a while, looped. Prints the daemon's log and, every
 * few seconds, the LCD and what chrony makes of it.
 *   npm run simulate -- [--capture FILE] [--baud N] [--seconds N] [--delay-ms N] [--no-pps]
 *                       [--story cold:20,fix:100,lost:25 | --no-story] [--lcd 16x2|20x4]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/hal/linux/systemClock.js";
import { readCapture } from "./replay/captures.js";
import { splitEpochs } from "./replay/captureEpochs.js";
import { startChronyd } from "./run/chronyd.js";
import { spawnDaemon } from "./run/daemonProcess.js";
import { openPtyPair } from "./run/ptyPair.js";
import { replay } from "./replay/replayer.js";
import { FakeKernelPps } from "./fakes/fakeKernelPps.js";
import { startPulses } from "./replay/pulseGenerator.js";
import { DEFAULT_STORY, parseStory, tellStory } from "./replay/receiverStory.js";
import { LcdEmulator } from "./fakes/lcdEmulator.js";
import { serveI2cBus } from "./fakes/i2cBusServer.js";
import { lcdBox } from "./lcdTerminal.js";
import type { StatusSnapshot } from "../src/status/contract.js";

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const capture = option("--capture", "neo-m8n.log");
  const baud = Number(option("--baud", "9600"));
  const seconds = Number(option("--seconds", "0")); // 0: until Ctrl-C
  const delayMs = Number(option("--delay-ms", "100"));
  const data = capture.includes("/") ? readFileSync(capture) : readCapture(capture);
  const storyText = option("--story", "");
  const story = process.argv.includes("--no-story") ? undefined : storyText ? parseStory(storyText) : DEFAULT_STORY;
  if (!story && !process.argv.includes("--no-story")) throw new Error(`--story ${storyText}: expected parts like cold:20,fix:100,lost:25`);
  // A u-blox also says in UBX whether it vouches for its UTC; an NMEA-only receiver cannot, and the box holds off its UTC after a cold start.
  const vouches = /u-?blox|neo-|zed-|lea-/i.test(capture) && !process.argv.includes("--nmea-only");
  const epochs = story ? tellStory(splitEpochs(data), story, { vouches }) : splitEpochs(data);
  const lcdSize = option("--lcd", "16x2");
  if (lcdSize !== "16x2" && lcdSize !== "20x4") throw new Error(`--lcd ${lcdSize}: use 16x2 or 20x4`);
  const dir = mkdtempSync(join(tmpdir(), "stratum1-sim-"));
  const sock = join(dir, "nmea.sock");
  const ppsSock = join(dir, "pps.sock");
  const withPps = !process.argv.includes("--no-pps");
  const say = (s: string): void => void process.stdout.write(`[sim] ${s}\n`);

  say(`working directory ${dir}`);
  const chrony = await startChronyd(
    dir,
    withPps ? [`refclock SOCK ${sock} refid NMEA poll 2 noselect`, `refclock SOCK ${ppsSock} refid PPS poll 2 precision 1e-7`] : [`refclock SOCK ${sock} refid NMEA poll 2`],
  );
  say(`chronyd running (conf ${chrony.confPath}); inspect with: chronyc -h ${chrony.cmdSocket} sources`);
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const status = join(dir, "status.json");
  const kernel = withPps ? new FakeKernelPps(join(dir, "pps0")) : undefined;
  const ppsArgs = kernel ? ["--pps-sysfs", kernel.dir, "--pps-sock", ppsSock] : ["--pps-sysfs", "off"];
  const clock = systemClock();
  const [cols, rows] = lcdSize.split("x").map(Number) as [number, number];
  const lcd = new LcdEmulator(0x27, cols, rows, () => clock.realtimeUs());
  const i2c = await serveI2cBus(join(dir, "i2c.sock"), lcd);
  const lcdArgs = [
    "--set",
    `capture.socket=${join(dir, "capture.sock")}`,
    "--lcd-socket",
    i2c.path,
    "--set",
    `lcd.size=${lcdSize}`,
    "--set",
    "time.leap-list=off",
    "--set",
    `state.dir=${join(dir, "state")}`,
    ...chrony.serviceSettings(),
  ];
  const daemon = spawnDaemon(["--serial", pty.device, "--baud", String(baud), "--sock", sock, "--status", status, ...ppsArgs, ...lcdArgs], (l) => process.stdout.write(`[stratum1d] ${l}\n`));
  say(`stratum1d reading ${pty.device}; status snapshot at ${status}; its LCD (${lcdSize}, PCF8574 at 0x27) on an emulated I2C bus at ${i2c.path}`);
  const told = story ? `the story ${story.map((p) => `${p.kind} ${p.seconds} s`).join(", ")} told with ${capture}` : capture;
  say(`replaying ${told} (${epochs.length} epochs, looped) at ${baud} baud, ${delayMs} ms after each second`);

  const abort = new AbortController();
  const colour = process.stdout.isTTY === true;
  const showLcd = (why: string): void => {
    say(`LCD (${why}):`);
    for (const line of lcdBox(lcd, colour)) process.stdout.write(`[lcd] ${line}\n`);
  };
  // Besides every report, the LCD is printed the moment an alarm takes over or leaves.
  let alarmShown = false;
  const lcdWatch = setInterval(() => {
    const alarm = lcd.screen().some((r) => r.includes("\x03"));
    if (alarm !== alarmShown) showLcd(alarm ? "alarm" : "alarm cleared");
    alarmShown = alarm;
  }, 250);
  if (kernel) say(`pulse: an edge every second in ${kernel.dir}/assert (fake kernel PPS), 1.5 µs after the second`);
  const pulses = kernel ? startPulses({ clock, kernel, phaseNs: () => 1500 }) : undefined;
  const report = setInterval(() => {
    chrony.sources().then(
      (sources) => {
        const st = JSON.parse(readFileSync(status, "utf8")) as StatusSnapshot;
        const chronyText = ["NMEA", "PPS"]
          .map((name) => sources.find((x) => x.name === name))
          .filter((s) => s !== undefined)
          .map((s) => `${s.name} ${s.state === "*" ? "selected (*)" : `'${s.state}'`} reach ${s.reach.toString(8)} offset ${(s.measuredOffsetS * 1e6).toFixed(1)} µs`)
          .join(", ");
        const ppsText = st.pps ? `, pulse ${st.pps.state}${st.pps.delayMs !== null ? ` (time ${st.pps.delayMs.toFixed(0)} ms after it)` : ""}, ${st.pps.counts.labelled} labelled` : "";
        say(`chrony: ${chronyText} | stratum1d: time ${st.time.state}, fix ${st.fix.mode}, ${st.fix.satellitesUsed ?? "?"}/${st.fix.satellitesSeen} sats, ${st.counts.samples} samples${ppsText}`);
        showLcd(`${st.lcd ? `${st.lcd.bytesPerSecond.toFixed(1)} bytes/s on the I2C bus` : "not drawn yet"}`);
      },
      () => undefined,
    );
  }, 5000);
  const stop = async (): Promise<void> => {
    abort.abort();
    clearInterval(report);
    clearInterval(lcdWatch);
    pulses?.stop();
    await daemon.stop();
    showLcd("after stratum1d stopped");
    await i2c.close();
    await pty.close();
    await chrony.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => void stop().then(() => process.exit(0)));
  process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
  const startSecond = Math.ceil(clock.realtimeUs() / 1e6) + 1;
  await replay(epochs, { feedPath: pty.feed, baud, delayMs, startSecond, rewrite: true, epochs: seconds > 0 ? seconds : Number.MAX_SAFE_INTEGER, clock }, abort.signal);
  await stop();
}

main().catch((err: Error) => {
  process.stderr.write(`simulate: ${err.message}\n`);
  process.exit(1);
});
