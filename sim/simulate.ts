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
 *                       [--story cold:20,fix:100,lost:25 | --no-story] [--lcd 16x2|20x4] [--ntp-port N]
 * chronyd runs on the box's own chrony.conf, generated from the simulated
 * box's stratum1.conf (sim/run/box.ts); with --ntp-port it serves NTP on
 * 127.0.0.1:N, so any NTP client can ask the simulated box for the time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/hal/linux/systemClock.js";
import { readCapture } from "./replay/captures.js";
import { splitEpochs } from "./replay/captureEpochs.js";
import { startBoxChronyd, writeBoxConfig } from "./run/box.js";
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
  const ntpPort = option("--ntp-port", "") === "" ? undefined : Number(option("--ntp-port", ""));
  if (ntpPort !== undefined && !(Number.isInteger(ntpPort) && ntpPort > 0 && ntpPort < 65536)) throw new Error(`--ntp-port ${option("--ntp-port", "")}: a UDP port, 1-65535`);
  const dir = mkdtempSync(join(tmpdir(), "stratum1-sim-"));
  const withPps = !process.argv.includes("--no-pps");
  const say = (s: string): void => void process.stdout.write(`[sim] ${s}\n`);

  say(`working directory ${dir}`);
  // One stratum1.conf for the daemon and chrony, as on the box; chrony.conf is the product's, generated from it.
  const box = await writeBoxConfig(dir, {
    "serial.baud": String(baud),
    "lcd.size": lcdSize,
    ...(withPps ? {} : { "pps.sysfs": "off", "pps.sock": "off" }),
  });
  const chrony = await startBoxChronyd(box, ntpPort ? { ntpPort } : {});
  say(`chronyd running on the box's generated chrony.conf (${chrony.confPath}, from ${box.confPath}); inspect with: chronyc -h ${chrony.cmdSocket} sources`);
  if (ntpPort) {
    say(`serving NTP on 127.0.0.1:${ntpPort} as the box serves its clients; ask it with:`);
    say(`  node dist/sim/sntp.js 127.0.0.1:${ntpPort} --count 10 --every 5   (LI, stratum, refid, root dispersion, offset)`);
    say(`  chronyd -Q -t 5 'server 127.0.0.1 port ${ntpPort} iburst'   (chrony as a client; it refuses an unsynchronised server)`);
    say(`  chronyc -h ${chrony.cmdSocket} tracking / serverstats / clients   (the server's side)`);
    say(`  ntpdate -q 127.0.0.1, sntp 127.0.0.1: these ask port 123 only; run with --ntp-port 123 (as root, port free) for them`);
  }
  const pty = await openPtyPair(box.paths.device, box.paths.feed);
  const status = box.paths.status;
  const kernel = withPps ? new FakeKernelPps(box.paths.ppsDir) : undefined;
  const clock = systemClock();
  const [cols, rows] = lcdSize.split("x").map(Number) as [number, number];
  const lcd = new LcdEmulator(0x27, cols, rows, () => clock.realtimeUs());
  const i2c = await serveI2cBus(join(dir, "i2c.sock"), lcd);
  const daemon = spawnDaemon(["--config", box.confPath, "--lcd-socket", i2c.path], (l) => process.stdout.write(`[stratum1d] ${l}\n`));
  say(`stratum1d reading ${pty.device} (config ${box.confPath}); status snapshot at ${status}; its LCD (${lcdSize}, PCF8574 at 0x27) on an emulated I2C bus at ${i2c.path}`);
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
        // On a loaded machine the service can take longer than the first report to write its first snapshot.
        if (!existsSync(status)) return say("stratum1d has not written its status yet");
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
