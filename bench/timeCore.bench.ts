/*
 * Time-core bench: stratum1d and gpsd side by side, in one run, on the same
 * epochs written at the same moments.
 *
 * A capture (u-blox NEO-M8N, epochs starting with RMC) is paced out at 9600
 * baud, one epoch per second, each frame written when its last byte would
 * have left the receiver's UART. Every frame goes to two places, back to back:
 *   - a socat pty pair, whose other end stratum1d reads as its serial port;
 *     stratum1d sends its samples to a unix datagram socket that the bench
 *     binds itself (the bench plays chronyd);
 *   - a TCP connection that gpsd reads as `tcp://127.0.0.1:PORT` (gpsd will
 *     not feed NTP from a pty); gpsd publishes its samples in NTP SHM unit 0.
 * The moment each RMC was written is the reference: a sample's local stamp
 * minus that moment is its stamp error; the label of the sample must be the
 * second the RMC was rewritten to (right second).
 *
 * The receiving side runs in a worker thread that polls the socket and the
 * SHM segment every ~0.15-0.2 ms while samples are due (every 1 ms for the
 * rest of the second), sleeping in between: a busy loop would take a whole
 * core from the daemons on a small machine, and the daemons are what is
 * measured. Delivery latency is therefore bracketed: the figure is the first
 * poll that saw the sample minus the sample's stamp (an upper bound), the
 * poll before gives a lower bound, and the poll gap (the resolution) is
 * printed beside it.
 *
 * socat's pty relay is in stratum1d's path and not in gpsd's, so the bench
 * first measures the relay alone (a blocking reader, no polling) and prints it.
 *
 * stratum1d runs as its unit runs it (the node flags of systemd/stratum1d.service)
 * with every feature of the box on: the status file, the front panel (the LCD
 * emulator behind a socket), the chrony monitor (a real chronyd answering its
 * monitoring and control sockets) and the metrics, scraped every 15 s as
 * Prometheus would. Its footprint is measured against gpsd's: CPU per second
 * over the measured window (all threads; the main thread and the others apart)
 * and peak RSS (VmHWM, start-up included). Then, unless BENCH_PROFILE_SECONDS=0,
 * a second stratum1d runs the same way under V8's CPU profiler, and where its
 * main thread's time goes is summarised by area and function.
 *
 * It is a measurement, not a test: targets are printed with PASS/FAIL but the
 * exit status is 0 unless something broke. Results go to bench/results/latest.json.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { availableParallelism, cpus, loadavg, release, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Clock } from "../src/hal/clock.js";
import { systemClock } from "../src/hal/linux/systemClock.js";
import { native } from "../src/hal/linux/native.js";
import { TICK_PERIOD_MS } from "../src/pipeline/readHold.js";
import { sockLayout, unpackSockSample } from "../src/refclock/sockSample.js";
import { splitEpochs, type CaptureEpoch } from "../sim/replay/captureEpochs.js";
import { spawnDaemon, UNPACKED_DAEMON_SCRIPT, unitNodeFlags, type DaemonProcess } from "../sim/run/daemonProcess.js";
import { startChronyd } from "../sim/run/chronyd.js";
import { serveI2cBus } from "../sim/fakes/i2cBusServer.js";
import { LcdEmulator } from "../sim/fakes/lcdEmulator.js";
import { formatProfile, summarizeProfile, type CpuProfile, type ProfileSummary } from "./cpuProfile.js";
import { labelForPosix, retimeNmea } from "../sim/replay/retime.js";
import { openPtyPair, type PtyPair } from "../sim/run/ptyPair.js";
import { waitUntil } from "../sim/replay/replayer.js";

const CAPTURE = "neo-m8n.log";
const BAUD = 9600;
/** The receiver's processing delay: first byte of an epoch this long after its second starts. */
const DELAY_MS = 50;
/**
 * Epochs before the measured ones. Both daemons need a few to settle (stratum1d
 * 3, gpsd 3 fixes before it ships time to NTP), and a JIT runtime needs ~20 s
 * more: V8 compiles the hot paths and shrinks its start-up heap in background
 * threads (measured: an idle stratum1d costs 6.4 ms/s in its first 15 s, then
 * 0.24 ms/s). A time server runs for months, so the measured window is the
 * steady state; the whole-life CPU line keeps the start-up cost visible.
 */
const WARMUP_EPOCHS = 30;
/** gpsd's NTP SHM unit 0 ("NTP0"). */
const NTP_SHM_KEY = 0x4e545030;
/** Epochs paced through a lone socat pair before the run, to measure what the pty relay itself adds. */
const RELAY_CAL_EPOCHS = 12;
/** Sleep between two polls while samples are due; the real gap is ~0.15-0.2 ms (futex wake-up slack). */
const POLL_SLEEP_MS = 0.1;
/** Sleep between two polls for the rest of the second, so the bench does not take CPU from the daemons it measures. */
const IDLE_POLL_SLEEP_MS = 1;
/** Fine polling lasts this long after the latest RMC end in the capture: both daemons deliver within a few ms of it. */
const FINE_WINDOW_AFTER_RMC_MS = 30;
/** Prometheus's default scrape interval, as the issue's footprint target assumes. */
const SCRAPE_INTERVAL_MS = 15_000;
/** The footprint targets: CPU at most this many times gpsd's in the same run, peak RSS at most this. */
const CPU_RATIO_TARGET = 3;
const RSS_TARGET_MB = 50;
/**
 * With no pulse watched the service takes the serial reads at its status
 * tick, once a second (pipeline/readHold.ts; each read keeps its own stamp),
 * so a sample reaches chrony up to the tick's period after its stamp; 10 ms
 * more for the loop and this bench's polling (its "poll gap" rows: a few ms
 * at the 99th percentile on a busy machine).
 */
const DELIVERY_TARGET_MS = TICK_PERIOD_MS + 10;
/** The profiled run's warm-up before its window (the same reason as WARMUP_EPOCHS). */
const PROFILE_WARMUP_EPOCHS = 20;
/** V8's sampling interval for the profile, µs: 4 samples a millisecond, so a 5 ms/s process gives thousands. */
const PROFILE_INTERVAL_US = 250;
/** A sample is attributed to the latest epoch whose RMC was written before its stamp, with this tolerance (the stamp can be taken before our post-write clock read). */
const STAMP_TOLERANCE_US = 500;

// ───────────────────────────── worker: the "chronyd" and "ntpd" side ─────────────────────────────

interface ProbeConfig {
  mode: "probe";
  sockPath: string;
  shmKey: number;
  /** Fine polling from fineFromUs to fineToUs into each UTC second (µs), coarse polling otherwise. */
  fineFromUs: number;
  fineToUs: number;
  /** [0]: stop flag set by the main thread; [1]: a word that never changes, to sleep on. */
  control: SharedArrayBuffer;
}

/** The socat calibration: a blocking reader on the device end of a pty pair, stamping each read. */
interface RelayConfig {
  mode: "relay";
  device: string;
}

/** One observation: the poll that saw it ended at seenUs; the previous poll, which did not, began at prevPollUs. */
interface Seen {
  seenUs: number;
  prevPollUs: number;
}

interface SockHit extends Seen {
  size: number;
  sec: number;
  usec: number;
  offset: number;
  magic: number;
}

interface ShmHit extends Seen {
  count: number;
  clockSec: number;
  clockNsec: number;
  receiveSec: number;
  receiveNsec: number;
}

type ProbeMessage = { kind: "ready" } | { kind: "error"; message: string } | { kind: "done"; sock: SockHit[]; shm: ShmHit[]; polls: number };

type RelayMessage = { kind: "ready" } | { kind: "read"; us: number; rmc: boolean };

function probe(cfg: ProbeConfig): void {
  const port = parentPort!;
  const calls = native();
  const fd = calls.dgramBind(cfg.sockPath);
  if (fd < 0) {
    port.postMessage({ kind: "error", message: `cannot bind ${cfg.sockPath}: errno ${-fd}` } satisfies ProbeMessage);
    return;
  }
  port.postMessage({ kind: "ready" } satisfies ProbeMessage);
  const control = new Int32Array(cfg.control);
  const layout = sockLayout(calls.layouts().timeT === 4 ? 4 : 8);
  const buf = Buffer.alloc(256);
  const sock: SockHit[] = [];
  const shm: ShmHit[] = [];
  let shmId = -1;
  let nextAttachUs = 0;
  let lastCount: number | undefined;
  let prevPollUs = calls.realtimeUs();
  let polls = 0;
  while (Atomics.load(control, 0) === 0) {
    const pollUs = calls.realtimeUs();
    const got: Array<Omit<SockHit, keyof Seen>> = [];
    for (let n = calls.dgramRecv(fd, buf); n > 0; n = calls.dgramRecv(fd, buf)) {
      const f = unpackSockSample(buf.subarray(0, layout.size), layout);
      got.push({ size: n, sec: f.sec, usec: f.usec, offset: f.offset, magic: f.magic });
    }
    // gpsd creates the segment only once it opens its device: keep trying, ten times a second.
    if (shmId < 0 && pollUs >= nextAttachUs) {
      shmId = calls.shmAttach(cfg.shmKey, false);
      nextAttachUs = pollUs + 100_000;
    }
    let fresh: Omit<ShmHit, keyof Seen> | undefined;
    if (shmId >= 0) {
      const r = calls.shmRead(shmId);
      // A writer sets valid=0, bumps count, writes, bumps count, sets valid=1: only a settled, changed record is a new sample.
      if (r.valid === 1 && r.consistent === 1 && r.count !== lastCount) {
        if (lastCount !== undefined || r.receiveSec > 0) fresh = { count: r.count, clockSec: r.clockSec, clockNsec: r.clockNsec, receiveSec: r.receiveSec, receiveNsec: r.receiveNsec };
        lastCount = r.count;
      }
    }
    const seenUs = calls.realtimeUs();
    for (const g of got) sock.push({ ...g, seenUs, prevPollUs });
    if (fresh) shm.push({ ...fresh, seenUs, prevPollUs });
    prevPollUs = pollUs;
    polls += 1;
    const intoSecond = seenUs % 1e6;
    Atomics.wait(control, 1, 0, intoSecond >= cfg.fineFromUs && intoSecond < cfg.fineToUs ? POLL_SLEEP_MS : IDLE_POLL_SLEEP_MS);
  }
  calls.fdClose(fd);
  port.postMessage({ kind: "done", sock, shm, polls } satisfies ProbeMessage);
}

function relayReader(cfg: RelayConfig): void {
  const port = parentPort!;
  const calls = native();
  // Blocking read: the thread wakes the moment socat hands the bytes over, so the stamp has no polling in it.
  const fd = openSync(cfg.device, constants.O_RDONLY | constants.O_NOCTTY);
  port.postMessage({ kind: "ready" } satisfies RelayMessage);
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf);
    } catch {
      break; // EIO: socat closed the pair, the calibration is over
    }
    const us = calls.realtimeUs();
    if (n <= 0) break;
    port.postMessage({ kind: "read", us, rmc: buf.subarray(0, n).includes("RMC,") } satisfies RelayMessage);
  }
  closeSync(fd);
}

// ───────────────────────────── main thread: rig, pacing, analysis ─────────────────────────────

/** Teardown steps, run last-in first-out, each on its own so one failure does not leak the rest. */
class Teardown {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private done = false;
  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }
  async runAll(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (err) {
        process.stderr.write(`teardown ${step.name}: ${(err as Error).message}\n`);
      }
    }
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within graceMs. */
async function stopChild(proc: ChildProcess, graceMs = 3000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

function capturePath(name: string): string {
  const fromEnv = process.env.BENCH_CAPTURES;
  if (fromEnv) return join(fromEnv, name);
  // shared/captures/gpsd lives beside the repository; dist/bench is two levels below it.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "..", "shared", "captures", "gpsd", name);
    if (existsSync(candidate)) return resolve(candidate);
    dir = dirname(dir);
  }
  throw new Error(`capture ${name} not found in shared/captures/gpsd beside the repository (or set BENCH_CAPTURES)`);
}

/** Epochs that start with an RMC, the sentence both daemons stamp: the reference moment is its write. */
function rmcEpochs(): { epochs: CaptureEpoch[]; rmcEndMaxMs: number } {
  const all = splitEpochs(readFileSync(capturePath(CAPTURE)));
  const usable = all.filter((e) => /^\$..RMC,/.test(e.frames[0]?.text ?? ""));
  if (usable.length === 0) throw new Error(`${CAPTURE}: no epoch starts with RMC`);
  const longest = Math.max(...usable.map((e) => e.frames.reduce((n, f) => n + f.bytes.length, 0)));
  if (DELAY_MS + (longest * 10 * 1000) / BAUD >= 1000) throw new Error(`${CAPTURE}: an epoch of ${longest} bytes does not fit in a second at ${BAUD} baud`);
  const rmcEndMaxMs = DELAY_MS + Math.max(...usable.map((e) => (e.frames[0]!.bytes.length * 10 * 1000) / BAUD));
  return { epochs: usable, rmcEndMaxMs };
}

interface ProcStats {
  /** utime+stime from /proc/PID/stat: whole life, exited threads included, in clock ticks (10 ms). */
  cpuS: number;
  /** Sum of the live threads' on-CPU time from /proc/PID/task/TID/schedstat: nanosecond resolution. */
  runS: number;
  /** The main thread's share of runS (the event loop: JavaScript, callbacks, system calls). */
  mainRunS: number;
  /** Each live thread's name (comm), on-CPU time and times it was put on a CPU (schedstat's third field: its wake-ups, near enough). */
  threads: Map<number, { name: string; runNs: number; slices: number }>;
  peakRssKb: number;
  /** At the time of reading: the process's own memory (heap, stacks) and the mapped files' pages (the node binary, libraries), shared with every process that maps them. */
  anonKb: number;
  fileKb: number;
}

function procStats(pid: number, ticksPerS: number): ProcStats {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  // comm may hold spaces and parentheses: fields are counted after the last ')'. utime, stime are fields 14, 15.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[11]) + Number(rest[12]);
  let runNs = 0;
  let mainNs = 0;
  const threads: ProcStats["threads"] = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ");
      const ns = Number(fields[0]);
      runNs += ns;
      if (Number(tid) === pid) mainNs = ns;
      threads.set(Number(tid), { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, "latin1").trim(), runNs: ns, slices: Number(fields[2]) });
    } catch {
      // the thread exited between the listing and the read
    }
  }
  const status = readFileSync(`/proc/${pid}/status`, "latin1");
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { cpuS: ticks / ticksPerS, runS: runNs / 1e9, mainRunS: mainNs / 1e9, threads, peakRssKb: kb("VmHWM"), anonKb: kb("RssAnon"), fileKb: kb("RssFile") };
}

/** The window's on-CPU seconds and wake-ups of every thread but the main one, summed by name (V8's workers share one). */
function otherThreads(a: ProcStats, b: ProcStats, mainTid: number): Map<string, { s: number; slices: number }> {
  const byName = new Map<string, { s: number; slices: number }>();
  for (const [tid, t] of b.threads) {
    if (tid === mainTid) continue;
    const was = a.threads.get(tid);
    const sum = byName.get(t.name) ?? { s: 0, slices: 0 };
    byName.set(t.name, { s: sum.s + (t.runNs - (was?.runNs ?? 0)) / 1e9, slices: sum.slices + t.slices - (was?.slices ?? 0) });
  }
  return byName;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** A tmpfs directory for files the box keeps in /run: /run itself when it is tmpfs, else /dev/shm, else the temp dir. */
function tmpfsDir(): string {
  const mounts = existsSync("/proc/mounts")
    ? readFileSync("/proc/mounts", "utf8")
        .split("\n")
        .map((l) => l.split(" "))
    : [];
  const isTmpfs = (path: string) => mounts.some((m) => m[1] === path && m[2] === "tmpfs");
  return ["/run", "/dev/shm"].find(isTmpfs) ?? tmpdir();
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (err) {
    return `unavailable (${(err as Error).message.split("\n")[0]})`;
  }
}

/** SysV segments from `ipcs -m` (key, id, attach count) joined with `ipcs -m -p` (creator pid). */
function shmSegments(): Array<{ key: number; id: number; nattch: number; cpid: number }> {
  const rows = (args: string[], first: RegExp): string[][] =>
    tryRun("ipcs", args)
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => first.test(f[0] ?? ""));
  const creator = new Map<number, number>();
  for (const f of rows(["-m", "-p"], /^\d+$/)) creator.set(Number(f[0]), Number(f[2])); // shmid owner cpid lpid
  // key shmid owner perms bytes nattch status
  return rows(["-m"], /^0x[0-9a-f]+$/i).map((f) => ({ key: Number(f[0]), id: Number(f[1]), nattch: Number(f[5]), cpid: creator.get(Number(f[1])) ?? -1 }));
}

function removeShmById(id: number): void {
  tryRun("ipcrm", ["-m", String(id)]);
}

interface EpochWrites {
  utcSecond: number;
  /** Per writer, realtime µs just after the RMC's last byte was written. */
  rmcUs: number[];
}

type Writer = (bytes: Buffer) => void;

/**
 * Writes the epochs at the receiver's pace to each writer, back to back; who
 * goes first rotates every epoch so no daemon is always served second.
 */
async function pace(epochs: readonly CaptureEpoch[], total: number, startSecond: number, clock: Clock, writers: readonly Writer[], atEpoch?: (k: number) => void): Promise<EpochWrites[]> {
  const out: EpochWrites[] = [];
  for (let k = 0; k < total; k++) {
    atEpoch?.(k);
    const second = startSecond + k;
    const frames = epochs[k % epochs.length]!.frames.map((f) => (f.text ? Buffer.from(retimeNmea(f.text, labelForPosix(second)) + "\r\n", "latin1") : f.bytes));
    let dueUs = second * 1e6 + DELAY_MS * 1000;
    const w: EpochWrites = { utcSecond: second, rmcUs: writers.map(() => NaN) };
    for (let i = 0; i < frames.length; i++) {
      const bytes = frames[i]!;
      dueUs += (bytes.length * 10 * 1e6) / BAUD;
      await waitUntil(clock, Math.round(dueUs));
      for (let j = 0; j < writers.length; j++) {
        const which = (j + k) % writers.length;
        writers[which]!(bytes);
        if (i === 0) w.rmcUs[which] = clock.realtimeUs();
      }
    }
    out.push(w);
  }
  return out;
}

/** socat's share of stratum1d's stamp: pty write to a blocking reader's wake-up, the daemons not yet running. */
async function calibrateRelay(dir: string, epochs: readonly CaptureEpoch[], clock: Clock, teardown: Teardown): Promise<{ medianMs: number; p99Ms: number; n: number }> {
  const pair = await openPtyPair(join(dir, "cal-gps"), join(dir, "cal-feed"));
  teardown.add("calibration socat", () => pair.close());
  const reads: Array<{ us: number; rmc: boolean }> = [];
  const reader = new Worker(fileURLToPath(import.meta.url), { workerData: { mode: "relay", device: pair.device } satisfies RelayConfig });
  teardown.add("calibration reader", async () => void (await reader.terminate()));
  const exited = new Promise<void>((res) => reader.once("exit", () => res()));
  await new Promise<void>((res, rej) => {
    reader.on("message", (m: RelayMessage) => (m.kind === "ready" ? res() : reads.push({ us: m.us, rmc: m.rmc })));
    reader.once("error", rej);
  });
  const fd = openSync(pair.feed, "w");
  let writes: EpochWrites[];
  try {
    writes = await pace(epochs, RELAY_CAL_EPOCHS, Math.ceil(clock.realtimeUs() / 1e6 + 0.3), clock, [(b) => void writeSync(fd, b)]);
    await sleep(100);
  } finally {
    closeSync(fd);
  }
  await pair.close(); // the reader's read() fails with EIO and the worker ends
  await Promise.race([exited, sleep(2000)]);
  const lags = writes.slice(1).flatMap((w) => {
    const at = w.rmcUs[0]!;
    const r = reads.find((x) => x.rmc && x.us >= at - STAMP_TOLERANCE_US && x.us < at + 500_000);
    return r ? [(r.us - at) / 1000] : [];
  });
  return { medianMs: median(lags), p99Ms: quantile(lags, 0.99), n: lags.length };
}

// ── analysis ──

interface Observation {
  /** The daemon's local stamp of the sample (µs). */
  stampUs: number;
  /** The UTC time the sample is labelled with (µs). */
  labelUs: number;
  seenUs: number;
  prevPollUs: number;
}

interface DaemonFigures {
  epochs: number;
  samples: number;
  duplicates: number;
  stray: number;
  rightSecondPct: number;
  stampErrMs: { median: number; p99: number; stdev: number; min: number; max: number };
  /** Upper bounds: first poll that saw the sample minus its stamp. */
  deliveryMs: { median: number; p99: number; max: number };
  /** Lower bounds: the poll before, which did not see it, minus the stamp (0 if that poll began before the stamp). */
  deliveryLowMs: { median: number; p99: number };
  pollGapMs: { median: number; p99: number; max: number };
  cpuWindowS: number;
  cpuWindowTicksS: number;
  cpuPerEpochMs: number;
  /** The main thread's CPU per epoch (= per second), and the other threads' (GC and compiler helpers, libuv's pool, the serial reader). */
  mainCpuPerEpochMs: number;
  otherCpuPerEpochMs: number;
  mainWakeupsPerEpoch: number;
  otherByNameMs: Array<{ name: string; perEpochMs: number; wakeupsPerEpoch: number }>;
  cpuTotalS: number;
  peakRssMb: number;
  anonMb: number;
  fileMb: number;
  perEpoch: Array<{ utcSecond: number; labelOk: boolean; stampErrUs: number; deliveryUs: number; pollGapUs: number } | { utcSecond: number; missing: true }>;
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
/** Nearest-rank quantile. */
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

interface CpuFigures {
  /** On-CPU time over the measured epochs, from schedstat (ns resolution). */
  windowS: number;
  /** The main thread's part of it. */
  mainWindowS: number;
  /** The times the main thread was put on a CPU: each is a wake-up of the event loop (or a preemption). */
  mainSlices: number;
  /** The other threads' on-CPU seconds, summed by thread name (threads that exited in the window are not seen). */
  otherByName: Map<string, { s: number; slices: number }>;
  /** The same from utime+stime (10 ms ticks), as a cross-check. */
  windowTicksS: number;
  totalS: number;
  peakRssKb: number;
  anonKb: number;
  fileKb: number;
}

/**
 * Attributes each sample to an epoch by its local stamp (not by its label,
 * which is what is being checked): the latest epoch whose RMC was written
 * before the stamp. Only epochs after the warm-up count. `writer` is which of
 * pace()'s writers fed this daemon, i.e. whose RMC write moments are its reference.
 */
function analyse(obs: readonly Observation[], writes: readonly EpochWrites[], writer: number, cpu: CpuFigures): DaemonFigures {
  const rmcOf = (w: EpochWrites): number => w.rmcUs[writer]!;
  const measured = writes.length - WARMUP_EPOCHS;
  const first = new Map<number, Observation>();
  let duplicates = 0;
  let stray = 0;
  for (const o of obs) {
    let k = -1;
    for (let j = writes.length - 1; j >= 0; j--) {
      if (rmcOf(writes[j]!) - STAMP_TOLERANCE_US <= o.stampUs) {
        k = j;
        break;
      }
    }
    if (k < 0 || o.stampUs - rmcOf(writes[k]!) > 1e6) stray += 1;
    else if (k < WARMUP_EPOCHS) continue;
    else if (first.has(k)) duplicates += 1;
    else first.set(k, o);
  }
  const errs: number[] = [];
  const delivery: number[] = [];
  const deliveryLow: number[] = [];
  const gaps: number[] = [];
  const perEpoch: DaemonFigures["perEpoch"] = [];
  let right = 0;
  for (let k = WARMUP_EPOCHS; k < writes.length; k++) {
    const w = writes[k]!;
    const o = first.get(k);
    if (!o) {
      perEpoch.push({ utcSecond: w.utcSecond, missing: true });
      continue;
    }
    const labelOk = Math.round(o.labelUs / 1e6) === w.utcSecond;
    if (labelOk) right += 1;
    errs.push((o.stampUs - rmcOf(w)) / 1000);
    delivery.push((o.seenUs - o.stampUs) / 1000);
    deliveryLow.push(Math.max(0, o.prevPollUs - o.stampUs) / 1000);
    gaps.push((o.seenUs - o.prevPollUs) / 1000);
    perEpoch.push({ utcSecond: w.utcSecond, labelOk, stampErrUs: Math.round(o.stampUs - rmcOf(w)), deliveryUs: Math.round(o.seenUs - o.stampUs), pollGapUs: Math.round(o.seenUs - o.prevPollUs) });
  }
  return {
    epochs: measured,
    samples: first.size,
    duplicates,
    stray,
    rightSecondPct: first.size ? (100 * right) / first.size : NaN,
    stampErrMs: { median: median(errs), p99: quantile(errs, 0.99), stdev: stdev(errs), min: Math.min(...errs), max: Math.max(...errs) },
    deliveryMs: { median: median(delivery), p99: quantile(delivery, 0.99), max: Math.max(...delivery) },
    deliveryLowMs: { median: median(deliveryLow), p99: quantile(deliveryLow, 0.99) },
    pollGapMs: { median: median(gaps), p99: quantile(gaps, 0.99), max: Math.max(...gaps) },
    cpuWindowS: cpu.windowS,
    cpuWindowTicksS: cpu.windowTicksS,
    cpuPerEpochMs: (cpu.windowS * 1000) / measured,
    mainCpuPerEpochMs: (cpu.mainWindowS * 1000) / measured,
    otherCpuPerEpochMs: ((cpu.windowS - cpu.mainWindowS) * 1000) / measured,
    mainWakeupsPerEpoch: cpu.mainSlices / measured,
    otherByNameMs: [...cpu.otherByName].map(([name, t]) => ({ name, perEpochMs: (t.s * 1000) / measured, wakeupsPerEpoch: t.slices / measured })).sort((x, y) => y.perEpochMs - x.perEpochMs),
    cpuTotalS: cpu.totalS,
    peakRssMb: cpu.peakRssKb / 1024,
    anonMb: cpu.anonKb / 1024,
    fileMb: cpu.fileKb / 1024,
    perEpoch,
  };
}

interface Row {
  metric: string;
  ours: number;
  gpsd: number;
  digits: number;
  target: string;
  pass?: boolean;
}

function table(rows: readonly Row[]): string {
  const fmt = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : "-");
  const cells = [
    ["metric", "stratum1d", "gpsd", "ratio", "target (stratum1d)", "verdict"],
    ...rows.map((r) => [
      r.metric,
      fmt(r.ours, r.digits),
      fmt(r.gpsd, r.digits),
      r.gpsd !== 0 && Number.isFinite(r.ours / r.gpsd) ? fmt(r.ours / r.gpsd, 2) : "-",
      r.target,
      r.pass === undefined ? "" : r.pass ? "PASS" : "FAIL",
    ]),
  ];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (c === 0 || c >= 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join(" | ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.slice(1).map(line)].join("\n");
}

/** Prometheus's part: GET /metrics now and every intervalMs, the body read to the end, as a scraper would. */
function scrapeEvery(port: number, intervalMs: number): { stop(): void; result(): { ok: number; failed: number; lastError: string } } {
  const r = { ok: 0, failed: 0, lastError: "" };
  const once = (): void => {
    fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })
      .then(async (res) => {
        await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        r.ok += 1;
      })
      .catch((err: Error) => {
        r.failed += 1;
        r.lastError = err.message;
      });
  };
  once();
  const timer = setInterval(once, intervalMs);
  return { stop: () => clearInterval(timer), result: () => ({ ...r }) };
}

/** CLOCK_MONOTONIC in µs: the clock of a V8 CPU profile's timestamps on Linux. */
function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function profileSeconds(): number {
  const raw = process.env.BENCH_PROFILE_SECONDS ?? "60";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 600) throw new Error(`BENCH_PROFILE_SECONDS=${raw}: give a whole number of seconds from 0 (no profile) to 600`);
  return n;
}

/** BENCH_NODE_FLAGS="--flag ..." runs stratum1d with these node flags instead of its unit's, to compare flag sets. */
function nodeFlagsOverride(): string[] | undefined {
  const raw = process.env.BENCH_NODE_FLAGS;
  return raw === undefined ? undefined : raw.split(" ").filter((f) => f !== "");
}

function benchSeconds(): number {
  const raw = process.env.BENCH_SECONDS ?? "60";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 5 || n > 600) throw new Error(`BENCH_SECONDS=${raw}: give a whole number of seconds from 5 to 600`);
  return n;
}

async function main(teardown: Teardown): Promise<void> {
  const seconds = benchSeconds();
  const total = WARMUP_EPOCHS + seconds;
  const clock = systemClock();
  const ticksPerS = Number(tryRun("getconf", ["CLK_TCK"])) || 100;
  const { epochs, rmcEndMaxMs } = rmcEpochs();
  const startedUs = clock.realtimeUs();
  const loadBefore = loadavg()[0]!;

  // SHM unit 0 is gpsd's: refuse to disturb a live user of it, clear a stale one so gpsd starts from count 0.
  for (const seg of shmSegments().filter((s) => s.key === NTP_SHM_KEY)) {
    if (seg.nattch > 0) throw new Error(`NTP SHM unit 0 (key 0x4e545030) is attached by ${seg.nattch} process(es) (a running gpsd or ntpd?); stop it first`);
    removeShmById(seg.id);
  }

  const dir = mkdtempSync(join(tmpdir(), "stratum1-bench-"));
  teardown.add("temp dir", () => rmSync(dir, { recursive: true, force: true }));
  const paths = { device: join(dir, "gps"), feed: join(dir, "feed"), sock: join(dir, "nmea.sock"), gpsdCtl: join(dir, "gpsd.sock") };

  process.stdout.write(`calibrating the socat pty relay (${RELAY_CAL_EPOCHS} epochs)...\n`);
  const relay = await calibrateRelay(dir, epochs, clock, teardown);

  // The receiving worker binds the socket before stratum1d starts sending.
  const control = new SharedArrayBuffer(8);
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: {
      mode: "probe",
      sockPath: paths.sock,
      shmKey: NTP_SHM_KEY,
      fineFromUs: DELAY_MS * 1000,
      fineToUs: Math.round((rmcEndMaxMs + FINE_WINDOW_AFTER_RMC_MS) * 1000),
      control,
    } satisfies ProbeConfig,
  });
  const stopFlag = new Int32Array(control);
  let probeResult: Extract<ProbeMessage, { kind: "done" }> | undefined;
  const probeDone = new Promise<Extract<ProbeMessage, { kind: "done" }>>((res, rej) => {
    worker.on("message", (m: ProbeMessage) => {
      if (m.kind === "done") res((probeResult = m));
      else if (m.kind === "error") rej(new Error(m.message));
    });
    worker.once("error", rej);
    worker.once("exit", (code) => rej(new Error(`probe worker exited (${code}) before reporting`)));
  });
  probeDone.catch(() => undefined); // observed below; this keeps an early failure from being "unhandled"
  teardown.add("probe worker", async () => {
    Atomics.store(stopFlag, 0, 1);
    if (!probeResult) await Promise.race([probeDone.catch(() => undefined), sleep(2000)]);
    await worker.terminate();
  });
  await new Promise<void>((res, rej) => {
    worker.on("message", (m: ProbeMessage) => (m.kind === "ready" ? res() : undefined));
    probeDone.catch(rej);
  });

  // gpsd's feed: it connects to us, we write the epochs to it.
  let gpsdConn: Socket | undefined;
  const server: Server = createServer((s) => {
    s.setNoDelay(true); // one segment per frame, as the UART delivers it, no Nagle batching
    s.on("data", () => undefined); // -b: gpsd should not write; ignore it if it does
    s.on("error", () => undefined);
    gpsdConn = s;
  });
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => res());
  });
  teardown.add("tcp server", () => {
    gpsdConn?.destroy();
    server.close();
  });
  const feedPort = (server.address() as { port: number }).port;

  const pty: PtyPair = await openPtyPair(paths.device, paths.feed);
  teardown.add("socat", () => pty.close());
  // Every feature of the box on: a real chronyd for the chrony monitor (no sources: it only answers), the
  // LCD emulator behind a socket for the front panel, the status file, the metrics.
  mkdirSync(join(dir, "chrony"), { mode: 0o700 }); // chronyd refuses a socket directory others can read
  const chronyd = await startChronyd(join(dir, "chrony"), []);
  teardown.add("chronyd", () => chronyd.stop());
  const lcd = await serveI2cBus(join(dir, "lcd.sock"), new LcdEmulator(0x27, 16, 2, () => clock.realtimeUs()));
  teardown.add("lcd", () => lcd.close());
  // The status file where the box keeps it, on tmpfs (/run there, /dev/shm here when /run is not): on a disk file system each second's rename is a journal transaction the box never pays.
  const statusDir = mkdtempSync(join(tmpfsDir(), "stratum1-bench-status-"));
  teardown.add("status dir", () => rmSync(statusDir, { recursive: true, force: true }));
  const features = (metricsPort: number): string[] => ["--status", join(statusDir, "status.json"), "--lcd-socket", lcd.path, "--metrics", `127.0.0.1:${metricsPort}`, ...chronyd.serviceSettings()];
  const stratum1d = async (nodeArgs: string[] = [], script?: string): Promise<{ daemon: DaemonProcess; metricsPort: number }> => {
    const metricsPort = await freePort();
    const d = spawnDaemon(
      [
        "--serial",
        paths.device,
        "--baud",
        String(BAUD),
        "--sock",
        paths.sock,
        "--shm",
        "off",
        "--pps-sysfs",
        "off",
        "--set",
        "capture.socket=off",
        "--set",
        "control.socket=off",
        ...features(metricsPort),
      ],
      // BENCH_ECHO=1: the daemon's log on stderr (with BENCH_NODE_FLAGS="... --trace-gc", the heap at each collection).
      process.env.BENCH_ECHO ? (l) => process.stderr.write(`[stratum1d] ${l}\n`) : undefined,
      process.env,
      nodeArgs,
      nodeFlagsOverride() ?? unitNodeFlags(),
      script,
    );
    teardown.add("stratum1d", () => stopChild(d.process));
    await d.waitFor(/serial: .* open at/, 10_000);
    return { daemon: d, metricsPort };
  };
  const { daemon, metricsPort } = await stratum1d();
  const scraper = scrapeEvery(metricsPort, SCRAPE_INTERVAL_MS);
  teardown.add("scraper", () => scraper.stop());

  const gpsdPort = await freePort();
  // -N foreground, -n poll without clients, -b never write to the "receiver", a private control socket and port so a system gpsd is not disturbed.
  const gpsdArgs = ["-N", "-n", "-b", "-D", "1", "-F", paths.gpsdCtl, "-S", String(gpsdPort), `tcp://127.0.0.1:${feedPort}`];
  const gpsd = spawn("gpsd", gpsdArgs, { stdio: ["ignore", "pipe", "pipe"] });
  let gpsdLog = "";
  gpsd.stdout?.on("data", (d: Buffer) => (gpsdLog += d.toString()));
  gpsd.stderr?.on("data", (d: Buffer) => (gpsdLog += d.toString()));
  const gpsdFailed = new Promise<never>((_, rej) => gpsd.once("error", (e) => rej(new Error(`cannot run gpsd (${e.message}); install it: apt-get install gpsd`))));
  teardown.add("gpsd", async () => {
    await stopChild(gpsd);
    // gpsd leaves its SHM segments behind (0 and 1 as root, 2.. world-writable): remove the ones it created.
    for (const seg of shmSegments()) if (seg.cpid === gpsd.pid && seg.nattch === 0) removeShmById(seg.id);
  });
  for (let i = 0; i < 200 && !gpsdConn; i++) {
    if (gpsd.exitCode !== null) throw new Error(`gpsd exited ${gpsd.exitCode}: ${gpsdLog.trim()}`);
    await Promise.race([sleep(25), gpsdFailed]);
  }
  if (!gpsdConn) throw new Error(`gpsd did not connect to tcp://127.0.0.1:${feedPort} within 5 s: ${gpsdLog.trim()}`);

  const ptyFd = openSync(paths.feed, "w");
  teardown.add("pty feed", () => closeSync(ptyFd));
  let tcpQueued = 0;
  const writePty: Writer = (bytes) => void writeSync(ptyFd, bytes);
  const writeTcp: Writer = (bytes) => {
    const conn = gpsdConn;
    if (!conn || conn.destroyed) throw new Error("gpsd closed its TCP feed during the run");
    conn.write(bytes);
    // libuv writes at once when nothing is queued; a queued write would reach gpsd later than recorded.
    if (conn.writableLength > 0) tcpQueued += 1;
  };

  const startSecond = Math.ceil(clock.realtimeUs() / 1e6 + 1.2);
  const pids = { ours: daemon.process.pid!, gpsd: gpsd.pid! };
  let cpuAtWindow: { ours: ProcStats; gpsd: ProcStats } | undefined;
  process.stdout.write(`replaying ${CAPTURE}: ${WARMUP_EPOCHS} warm-up + ${seconds} measured epochs at ${BAUD} baud from ${new Date(startSecond * 1000).toISOString()}\n`);
  const writes = await pace(epochs, total, startSecond, clock, [writePty, writeTcp], (k) => {
    // The window starts between epochs, so start-up and settling are not charged to the per-epoch CPU.
    if (k === WARMUP_EPOCHS) cpuAtWindow = { ours: procStats(pids.ours, ticksPerS), gpsd: procStats(pids.gpsd, ticksPerS) };
  });
  await sleep(400); // let the last epoch's samples arrive
  const end = { ours: procStats(pids.ours, ticksPerS), gpsd: procStats(pids.gpsd, ticksPerS) };
  scraper.stop();
  const scrapes = scraper.result();
  if (scrapes.ok === 0) throw new Error(`no scrape of stratum1d's metrics succeeded (${scrapes.failed} failed: ${scrapes.lastError})`);
  Atomics.store(stopFlag, 0, 1);
  const probeOut = await probeDone;
  if (daemon.process.exitCode !== null) throw new Error(`stratum1d exited ${daemon.process.exitCode} during the run:\n${daemon.lines.join("\n")}`);
  if (gpsd.exitCode !== null) throw new Error(`gpsd exited ${gpsd.exitCode} during the run: ${gpsdLog.trim()}`);
  const socatStats = procStats(pty.process.pid!, ticksPerS);
  const benchCpu = process.cpuUsage();

  // Where the CPU goes: a second stratum1d, the same features and feed, under V8's sampling profiler
  // (which costs CPU itself, so it is not the run measured above).
  let profile: ProfileSummary | undefined;
  const profSeconds = profileSeconds();
  if (profSeconds > 0) {
    await stopChild(daemon.process);
    // The probe has let go of the SOCK socket: a sink takes its place, drained at every write, so the daemon's sends succeed as before.
    rmSync(paths.sock, { force: true });
    const calls = native();
    const sinkFd = calls.dgramBind(paths.sock);
    if (sinkFd < 0) throw new Error(`cannot bind ${paths.sock}: errno ${-sinkFd}`);
    teardown.add("sock sink", () => {
      calls.fdClose(sinkFd);
    });
    const sinkBuf = Buffer.alloc(256);
    const writeAndDrain: Writer = (bytes) => {
      writePty(bytes);
      while (calls.dgramRecv(sinkFd, sinkBuf) > 0) {
        // the samples are not looked at: only the daemon's cost is
      }
    };
    const profDir = join(dir, "profile");
    // The unpacked modules, the same code as the packed file the box runs: their file names say where the time goes.
    const profiled = await stratum1d(["--cpu-prof", "--cpu-prof-dir", profDir, "--cpu-prof-interval", String(PROFILE_INTERVAL_US)], UNPACKED_DAEMON_SCRIPT);
    const profScraper = scrapeEvery(profiled.metricsPort, SCRAPE_INTERVAL_MS);
    teardown.add("profile scraper", () => profScraper.stop());
    process.stdout.write(`profiling stratum1d: ${PROFILE_WARMUP_EPOCHS} warm-up + ${profSeconds} epochs under node --cpu-prof\n`);
    let fromUs = Number.NaN;
    const profStart = Math.ceil(clock.realtimeUs() / 1e6 + 1.2);
    await pace(epochs, PROFILE_WARMUP_EPOCHS + profSeconds, profStart, clock, [writeAndDrain], (k) => {
      if (k === PROFILE_WARMUP_EPOCHS) fromUs = monotonicUs();
    });
    await sleep(400);
    const toUs = monotonicUs();
    profScraper.stop();
    // The profile is written as the process exits: give it time.
    await stopChild(profiled.daemon.process, 15_000);
    const file = existsSync(profDir) ? readdirSync(profDir).find((f) => f.endsWith(".cpuprofile")) : undefined;
    if (!file) throw new Error(`stratum1d under --cpu-prof left no profile in ${profDir}:\n${profiled.daemon.lines.slice(-10).join("\n")}`);
    // BENCH_PROFILE_OUT=FILE keeps the raw profile, for Chrome's DevTools or speedscope.
    if (process.env.BENCH_PROFILE_OUT) copyFileSync(join(profDir, file), process.env.BENCH_PROFILE_OUT);
    const p = JSON.parse(readFileSync(join(profDir, file), "utf8")) as CpuProfile;
    profile = summarizeProfile(p, new URL("../", import.meta.url).href, fromUs - p.startTime, toUs - p.startTime);
  }

  const oursObs: Observation[] = probeOut.sock
    .filter((h) => h.size === sockLayout(8).size || h.size === sockLayout(4).size)
    .map((h) => {
      const stampUs = h.sec * 1e6 + h.usec;
      return { stampUs, labelUs: stampUs + h.offset * 1e6, seenUs: h.seenUs, prevPollUs: h.prevPollUs };
    });
  const gpsdObs: Observation[] = probeOut.shm.map((h) => ({
    stampUs: h.receiveSec * 1e6 + h.receiveNsec / 1e3,
    labelUs: h.clockSec * 1e6 + h.clockNsec / 1e3,
    seenUs: h.seenUs,
    prevPollUs: h.prevPollUs,
  }));
  const window = cpuAtWindow!;
  const cpuOf = (a: ProcStats, b: ProcStats, pid: number): CpuFigures => ({
    windowS: b.runS - a.runS,
    mainWindowS: b.mainRunS - a.mainRunS,
    mainSlices: (b.threads.get(pid)?.slices ?? 0) - (a.threads.get(pid)?.slices ?? 0),
    otherByName: otherThreads(a, b, pid),
    windowTicksS: b.cpuS - a.cpuS,
    totalS: b.cpuS,
    peakRssKb: b.peakRssKb,
    anonKb: b.anonKb,
    fileKb: b.fileKb,
  });
  const ours = analyse(oursObs, writes, 0, cpuOf(window.ours, end.ours, pids.ours));
  const theirs = analyse(gpsdObs, writes, 1, cpuOf(window.gpsd, end.gpsd, pids.gpsd));

  const cpuLimitMs = CPU_RATIO_TARGET * theirs.cpuPerEpochMs;
  const rows: Row[] = [
    { metric: "samples (measured epochs)", ours: ours.samples, gpsd: theirs.samples, digits: 0, target: `= ${ours.epochs}`, pass: ours.samples === ours.epochs },
    { metric: "right second %", ours: ours.rightSecondPct, gpsd: theirs.rightSecondPct, digits: 1, target: "= 100 %", pass: ours.rightSecondPct === 100 },
    { metric: "stamp - RMC write, median ms", ours: ours.stampErrMs.median, gpsd: theirs.stampErrMs.median, digits: 3, target: "<= 0.2 ms", pass: ours.stampErrMs.median <= 0.2 },
    { metric: "stamp - RMC write, p99 ms", ours: ours.stampErrMs.p99, gpsd: theirs.stampErrMs.p99, digits: 3, target: "" },
    { metric: "stamp - RMC write, stdev ms", ours: ours.stampErrMs.stdev, gpsd: theirs.stampErrMs.stdev, digits: 3, target: "<= 0.1 ms", pass: ours.stampErrMs.stdev <= 0.1 },
    { metric: "delivery after stamp, median ms", ours: ours.deliveryMs.median, gpsd: theirs.deliveryMs.median, digits: 3, target: "" },
    {
      metric: "delivery after stamp, p99 ms",
      ours: ours.deliveryMs.p99,
      gpsd: theirs.deliveryMs.p99,
      digits: 3,
      target: `<= ${DELIVERY_TARGET_MS} ms (tick + 10)`,
      pass: ours.deliveryMs.p99 <= DELIVERY_TARGET_MS,
    },
    { metric: "  same, lower bound, p99 ms", ours: ours.deliveryLowMs.p99, gpsd: theirs.deliveryLowMs.p99, digits: 3, target: "" },
    { metric: "  poll gap (resolution), median ms", ours: ours.pollGapMs.median, gpsd: theirs.pollGapMs.median, digits: 3, target: "" },
    { metric: "  poll gap (resolution), p99 ms", ours: ours.pollGapMs.p99, gpsd: theirs.pollGapMs.p99, digits: 3, target: "" },
    {
      metric: "CPU ms per second (measured window)",
      ours: ours.cpuPerEpochMs,
      gpsd: theirs.cpuPerEpochMs,
      digits: 2,
      target: `<= ${cpuLimitMs.toFixed(2)} ms (${CPU_RATIO_TARGET}x gpsd)`,
      pass: ours.cpuPerEpochMs <= cpuLimitMs,
    },
    { metric: "  main thread", ours: ours.mainCpuPerEpochMs, gpsd: theirs.mainCpuPerEpochMs, digits: 2, target: "" },
    { metric: "  other threads", ours: ours.otherCpuPerEpochMs, gpsd: theirs.otherCpuPerEpochMs, digits: 2, target: "" },
    { metric: "  main thread wake-ups per second", ours: ours.mainWakeupsPerEpoch, gpsd: theirs.mainWakeupsPerEpoch, digits: 1, target: "" },
    { metric: "CPU s, measured window", ours: ours.cpuWindowS, gpsd: theirs.cpuWindowS, digits: 3, target: "" },
    { metric: "CPU s, whole process life", ours: ours.cpuTotalS, gpsd: theirs.cpuTotalS, digits: 2, target: "" },
    { metric: "peak RSS MB (VmHWM)", ours: ours.peakRssMb, gpsd: theirs.peakRssMb, digits: 1, target: `<= ${RSS_TARGET_MB} MB`, pass: ours.peakRssMb <= RSS_TARGET_MB },
    { metric: "  at the end: own (RssAnon)", ours: ours.anonMb, gpsd: theirs.anonMb, digits: 1, target: "" },
    { metric: "  at the end: mapped files (RssFile)", ours: ours.fileMb, gpsd: theirs.fileMb, digits: 1, target: "" },
  ];

  const machine = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    kernel: release(),
    node: process.version,
    gpsd: tryRun("gpsd", ["-V"]),
    clockTicksPerS: ticksPerS,
    // Other work on the machine (tests, builds) competes with the daemons for the same CPUs and shows up as outliers.
    loadAvg1m: { before: loadBefore, after: loadavg()[0]! },
  };
  const out: string[] = [
    "",
    `machine: ${machine.nproc} CPU (${machine.cpu}), Linux ${machine.kernel}, node ${machine.node}, ${machine.gpsd}; load avg (1 min) ${machine.loadAvg1m.before.toFixed(2)} before, ${machine.loadAvg1m.after.toFixed(2)} after`,
    `run: ${CAPTURE}, ${BAUD} baud, epoch start ${DELAY_MS} ms after the second, ${WARMUP_EPOCHS} warm-up + ${seconds} measured epochs, both daemons fed the same bytes in the same run`,
    "",
    table(rows),
    "",
    "notes:",
    `  stamp error: the daemon's local stamp minus the realtime just after the RMC's last byte was written (stratum1d: pty via socat; gpsd: TCP).`,
    `  socat's pty relay alone (measured before the run, blocking reader, ${relay.n} epochs): median ${relay.medianMs.toFixed(3)} ms, p99 ${relay.p99Ms.toFixed(3)} ms;`,
    `    this is inside stratum1d's stamp error and not gpsd's: stratum1d less the relay ~ ${(ours.stampErrMs.median - relay.medianMs).toFixed(3)} ms median.`,
    `  delivery: first poll that saw the sample minus its stamp (upper bound; the lower bound uses the poll before); stratum1d: chrony SOCK datagram, gpsd: SHM unit 0.`,
    `    a worker thread polls every ~${POLL_SLEEP_MS} ms (+ wake-up slack) from ${DELAY_MS} to ${Math.round(rmcEndMaxMs + FINE_WINDOW_AFTER_RMC_MS)} ms into each second, every ${IDLE_POLL_SLEEP_MS} ms otherwise.`,
    `  CPU: on-CPU time of all threads from /proc/PID/task/*/schedstat over the ${seconds} measured epochs (utime+stime cross-check: ${ours.cpuWindowTicksS.toFixed(2)} / ${theirs.cpuWindowTicksS.toFixed(2)} s).`,
    `  stratum1d's other threads by name, per second: ${ours.otherByNameMs.map((t) => `${t.name} ${t.perEpochMs.toFixed(2)} ms in ${t.wakeupsPerEpoch.toFixed(1)} wake-ups`).join(", ") || "none"}.`,
    `  epochs attributed by local stamp, not by label; duplicates ${ours.duplicates}/${theirs.duplicates}, stray samples ${ours.stray}/${theirs.stray} (stratum1d/gpsd); TCP writes that queued: ${tcpQueued}.`,
    `  rig: socat ${socatStats.cpuS.toFixed(2)} CPU s, bench ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(2)} CPU s (pacing spin + ${probeOut.polls} polls), wall ${((clock.realtimeUs() - startedUs) / 1e6).toFixed(1)} s.`,
    `  metrics: scraped every ${SCRAPE_INTERVAL_MS / 1000} s over the run (${scrapes.ok} scrapes, ${scrapes.failed} failed).`,
    "  verdicts apply to stratum1d; the gpsd column is the reference. Exit status is 0 whatever the verdicts.",
    "",
    ...(profile
      ? [
          `where stratum1d's main thread spends its CPU (a second run, ${profSeconds} s after ${PROFILE_WARMUP_EPOCHS} s of warm-up, sampled every ${PROFILE_INTERVAL_US} µs):`,
          formatProfile(profile),
          "",
        ]
      : []),
  ];
  process.stdout.write(out.join("\n"));

  const resultsDir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    bench: "timeCore",
    date: new Date().toISOString(),
    machine,
    config: {
      capture: CAPTURE,
      baud: BAUD,
      delayMs: DELAY_MS,
      warmupEpochs: WARMUP_EPOCHS,
      measuredEpochs: seconds,
      pollSleepMs: POLL_SLEEP_MS,
      idlePollSleepMs: IDLE_POLL_SLEEP_MS,
      finePollWindowMs: [DELAY_MS, rmcEndMaxMs + FINE_WINDOW_AFTER_RMC_MS],
      gpsdArgs,
    },
    results: { stratum1d: ours, gpsd: theirs },
    scrapes,
    profile: profile ? { ...profile, functions: profile.functions.slice(0, 40) } : null,
    targets: rows.filter((r) => r.pass !== undefined).map((r) => ({ metric: r.metric, stratum1d: r.ours, gpsd: r.gpsd, target: r.target, pass: r.pass })),
    rig: { socatRelayMs: relay, tcpQueuedWrites: tcpQueued, socatCpuS: socatStats.cpuS, benchCpuS: (benchCpu.user + benchCpu.system) / 1e6, polls: probeOut.polls },
  };
  writeFileSync(join(resultsDir, "latest.json"), JSON.stringify(json, null, 2) + "\n");
  process.stdout.write(`results written to ${join(resultsDir, "latest.json")}\n`);
}

if (isMainThread) {
  const teardown = new Teardown();
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${sig}, stopping\n`);
    void teardown.runAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  main(teardown).then(
    async () => {
      await teardown.runAll();
      process.exit(0);
    },
    async (err: Error) => {
      process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
      await teardown.runAll();
      process.exit(1);
    },
  );
} else {
  const cfg = workerData as ProbeConfig | RelayConfig;
  if (cfg.mode === "probe") probe(cfg);
  else relayReader(cfg);
}
