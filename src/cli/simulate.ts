#!/usr/bin/env node
/*
 * The whole appliance in simulation, for a newcomer's first minute: a real
 * chronyd, a simulated receiver (a real capture replayed through a pty in real
 * time, rewritten to the current seconds) and the real stratum1d in between.
 * Prints the daemon's log and, every few seconds, what chrony makes of it.
 *   npm run simulate -- [--capture FILE] [--baud N] [--seconds N] [--delay-ms N]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../hal/linux/systemClock.js";
import { readCapture } from "../sim/captures.js";
import { splitEpochs } from "../sim/captureEpochs.js";
import { startChronyd } from "../sim/chronyd.js";
import { spawnDaemon } from "../sim/daemonProcess.js";
import { openPtyPair } from "../sim/ptyPair.js";
import { replay } from "../sim/replayer.js";

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
  const epochs = splitEpochs(data);
  const dir = mkdtempSync(join(tmpdir(), "stratum1-sim-"));
  const sock = join(dir, "nmea.sock");
  const say = (s: string): void => void process.stdout.write(`[sim] ${s}\n`);

  say(`working directory ${dir}`);
  const chrony = await startChronyd(dir, [`refclock SOCK ${sock} refid NMEA poll 2`]);
  say(`chronyd running (conf ${chrony.confPath}); inspect with: chronyc -h ${chrony.cmdSocket} sources`);
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const status = join(dir, "status.json");
  const daemon = spawnDaemon(["--serial", pty.device, "--baud", String(baud), "--sock", sock, "--status", status], (l) => process.stdout.write(`[stratum1d] ${l}\n`));
  say(`stratum1d reading ${pty.device}; status snapshot at ${status}`);
  say(`replaying ${capture} (${epochs.length} epochs, looped) at ${baud} baud, ${delayMs} ms after each second`);

  const abort = new AbortController();
  const clock = systemClock();
  const report = setInterval(() => {
    chrony.sources().then(
      (sources) => {
        const s = sources.find((x) => x.name === "NMEA");
        if (!s) return;
        const st = JSON.parse(readFileSync(status, "utf8")) as { time: { state: string }; fix: { mode: string; satellitesUsed: number | null; satellitesSeen: number }; counts: { samples: number } };
        say(
          `chrony: NMEA ${s.state === "*" ? "selected (*)" : `state '${s.state}'`} reach ${s.reach.toString(8)} offset ${(s.measuredOffsetS * 1000).toFixed(3)} ms` +
            ` | stratum1d: time ${st.time.state}, fix ${st.fix.mode}, ${st.fix.satellitesUsed ?? "?"}/${st.fix.satellitesSeen} sats, ${st.counts.samples} samples`,
        );
      },
      () => undefined,
    );
  }, 5000);
  const stop = async (): Promise<void> => {
    abort.abort();
    clearInterval(report);
    await daemon.stop();
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
