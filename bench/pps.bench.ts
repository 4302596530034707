/*
 * PPS bench: is the kernel's edge timestamp what chrony gets, exactly, on a
 * quiet machine and on one whose CPUs, memory and disk are loaded by stress-ng?
 *
 * A capture is replayed through a pty (NMEA, 9600 baud, 200 ms after each
 * second) while a fake kernel-PPS directory gets one assert edge per second,
 * stamped at the second plus a random phase below 1 ms (to the nanosecond).
 * The same edge is also written to a FIFO that stratum1d watches as its GPIO
 * pin, so the user-space path is measured beside it. stratum1d sends labelled
 * pulses to a datagram socket the bench binds (the bench plays chronyd).
 *
 * For each sample: error = (edge stamp + offset) − the second it was made
 * for. The kernel path forwards the stamp, so this must be below 1 µs (it is
 * a rounding error, not a latency). Also shown: samples delivered against
 * edges sent, wrong seconds, how late after the edge the sample arrived, and
 * the GPIO stamps' lateness against the kernel's under each load.
 *
 * gpsd is not run here: it reads pulses from /dev/ppsN with the PPS ioctl,
 * which a file cannot fake. BENCH_PPS_SECONDS sets each phase's length
 * (default 40). A measurement, not a test: exit 0 unless something broke.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock } from "../src/hal/linux/systemClock.js";
import { native } from "../src/hal/linux/native.js";
import type { PpsStatus } from "../src/status/contract.js";
import { sockLayout, unpackSockSample } from "../src/refclock/sockSample.js";
import { readCapture } from "../sim/replay/captures.js";
import { splitEpochs } from "../sim/replay/captureEpochs.js";
import { spawnDaemon } from "../sim/run/daemonProcess.js";
import { FakeKernelPps } from "../sim/fakes/fakeKernelPps.js";
import { openPtyPair } from "../sim/run/ptyPair.js";
import { startPulses } from "../sim/replay/pulseGenerator.js";
import { replay } from "../sim/replay/replayer.js";

const TARGET_ERROR_NS = 1000;

interface PhaseFigures {
  phase: string;
  edges: number;
  samples: number;
  wrongSeconds: number;
  maxErrorNs: number;
  meanAbsErrorNs: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  gpioLateMeanUs: number | null;
  gpioLateJitterUs: number | null;
  /** The service's refusals by reason, counted since it started. */
  refusedSoFar: Record<string, number>;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

function stressNg(): string | undefined {
  try {
    execFileSync("stress-ng", ["--version"], { stdio: "ignore" });
    return "stress-ng";
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_PPS_SECONDS ?? "40");
  if (!Number.isInteger(seconds) || seconds < 10 || seconds > 600) throw new Error("BENCH_PPS_SECONDS: a whole number from 10 to 600");
  const clock = systemClock();
  const calls = native();
  const dir = mkdtempSync(join(tmpdir(), "s1-ppsbench-"));
  const kernel = new FakeKernelPps(join(dir, "pps0"));
  const fifo = join(dir, "gpio");
  execFileSync("mkfifo", [fifo]);
  const sockPath = join(dir, "pps.sock");
  const fd = calls.dgramBind(sockPath);
  if (fd < 0) throw new Error(`cannot bind ${sockPath}`);
  const status = join(dir, "status.json");
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const daemon = spawnDaemon([
    "--serial",
    pty.device,
    "--sock",
    "off",
    "--status",
    status,
    "--pps-sysfs",
    kernel.dir,
    "--gpio-fifo",
    fifo,
    "--pps-sock",
    sockPath,
    "--set",
    "capture.socket=off",
    "--set",
    "control.socket=off",
  ]);
  await daemon.waitFor(/serial: .* open at/, 10_000);

  const layout = sockLayout(calls.layouts().timeT === 4 ? 4 : 8);
  const buf = Buffer.alloc(256);
  const edges = new Map<number, { sec: number; nsec: number }>();
  const received: Array<{ sec: number; usec: number; offset: number; atUs: number }> = [];
  const poll = setInterval(() => {
    for (let n = calls.dgramRecv(fd, buf); n > 0; n = calls.dgramRecv(fd, buf)) {
      const f = unpackSockSample(buf.subarray(0, layout.size), layout);
      received.push({ sec: f.sec, usec: f.usec, offset: f.offset, atUs: clock.realtimeUs() });
    }
  }, 2);
  const pulses = startPulses({ clock, kernel, gpioFifo: fifo, phaseNs: () => Math.floor(Math.random() * 1e6), onEdge: (s, stamp) => edges.set(s, stamp) });
  const epochs = splitEpochs(readCapture("neo-m8n.log"));
  const labelOf = (r: (typeof received)[number]): number => Math.round(r.sec + r.usec / 1e6 + r.offset);

  const runPhase = async (phase: string, load?: ChildProcess): Promise<PhaseFigures> => {
    const from = Math.ceil(clock.realtimeUs() / 1e6) + 1;
    await replay(epochs, { feedPath: pty.feed, baud: 9600, delayMs: 200, startSecond: from, rewrite: true, epochs: seconds, clock });
    await new Promise((r) => setTimeout(r, 1500));
    load?.kill("SIGTERM");
    // Samples for this phase's seconds; a label with no edge at all is a wrong second whenever it came.
    const mine = received.filter((r) => (labelOf(r) >= from && labelOf(r) < from + seconds) || !edges.has(labelOf(r)));
    let wrong = 0;
    const errors: number[] = [];
    const delivery: number[] = [];
    for (const r of mine) {
      const label = labelOf(r);
      const edge = edges.get(label);
      if (!edge) {
        wrong += 1;
        continue;
      }
      errors.push(Math.abs((edge.sec - label + edge.nsec / 1e9 + r.offset) * 1e9));
      delivery.push((r.atUs - (edge.sec * 1e6 + edge.nsec / 1000)) / 1000);
    }
    const st = (JSON.parse(readFileSync(status, "utf8")) as { pps: PpsStatus }).pps;
    return {
      phase,
      edges: seconds,
      samples: mine.length,
      wrongSeconds: wrong,
      maxErrorNs: Math.max(0, ...errors),
      meanAbsErrorNs: errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length),
      deliveryP50Ms: quantile(delivery, 0.5),
      deliveryP99Ms: quantile(delivery, 0.99),
      gpioLateMeanUs: st.crossCheck?.gpioLateMeanUs ?? null,
      gpioLateJitterUs: st.crossCheck?.gpioLateJitterUs ?? null,
      refusedSoFar: st.refused,
    };
  };

  const figures: PhaseFigures[] = [];
  try {
    process.stdout.write(`PPS bench: ${seconds} s quiet, then ${seconds} s under stress-ng\n`);
    figures.push(await runPhase("quiet"));
    const stress = stressNg();
    if (stress) {
      const load = spawn(stress, ["--cpu", "2", "--vm", "1", "--vm-bytes", "128M", "--hdd", "1", "--hdd-bytes", "64M", "--timeout", `${seconds + 10}s`], { stdio: "ignore" });
      figures.push(await runPhase("stress-ng (2 cpu, 1 vm, 1 hdd)", load));
    } else {
      process.stdout.write("stress-ng is not installed (apt-get install stress-ng): loaded phase skipped\n");
    }
  } finally {
    clearInterval(poll);
    pulses.stop();
    await daemon.stop();
    await pty.close();
    calls.fdClose(fd);
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = figures.map((f) => [
    f.phase,
    `${f.samples}/${f.edges}`,
    String(f.wrongSeconds),
    f.maxErrorNs.toFixed(3),
    f.maxErrorNs < TARGET_ERROR_NS && f.wrongSeconds === 0 ? "PASS" : "FAIL",
    `${f.deliveryP50Ms.toFixed(1)} / ${f.deliveryP99Ms.toFixed(1)}`,
    f.gpioLateMeanUs === null ? "-" : `${f.gpioLateMeanUs.toFixed(0)} ± ${f.gpioLateJitterUs?.toFixed(0)}`,
  ]);
  const head = ["phase", "samples/edges", "wrong s", "max error ns (< 1000)", "result", "delivery p50/p99 ms", "GPIO late µs (mean ± sd)"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join("  ") + "\n");
  for (const f of figures) process.stdout.write(`refusals by the end of ${f.phase}: ${JSON.stringify(f.refusedSoFar)}\n`);
  const resultsDir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "pps.json"), JSON.stringify({ date: new Date().toISOString(), seconds, figures }, null, 2) + "\n");
}

main().catch((err: Error) => {
  process.stderr.write(`pps bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
