/*
 * A real chronyd for the simulator, the tests and the bench: unprivileged-safe
 * (-x: never touches the system clock), in its own directory, its command
 * socket on a unix path, no NTP or command UDP ports. Figures are read with
 * `chronyc -c` (CSV), never from the human tables.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ChronySource {
  mode: string;
  state: string;
  name: string;
  stratum: number;
  poll: number;
  /** The reach register as a number (chronyc prints it in octal). */
  reach: number;
  lastRxAgoS: number | null;
  /** Last sample's offset after chrony's later clock corrections, seconds; + means the local clock is ahead. */
  lastOffsetS: number;
  /** The same sample as measured, before corrections (the bracketed figure in `chronyc sources`). */
  measuredOffsetS: number;
  errorS: number;
}

export interface ChronySourceStats {
  name: string;
  samples: number;
  runs: number;
  spanS: number;
  frequencyPpm: number;
  freqSkewPpm: number;
  offsetS: number;
  stdDevS: number;
}

/** One raw refclock sample as chrony logged it (log refclocks): its local timestamp and true − local offset. */
export interface ChronyRefclockSample {
  refid: string;
  localS: number;
  rawOffsetS: number;
}

export interface Chronyd {
  dir: string;
  confPath: string;
  cmdSocket: string;
  process: ChildProcess;
  output(): string;
  chronyc(...args: string[]): Promise<string>;
  sources(): Promise<ChronySource[]>;
  sourcestats(): Promise<ChronySourceStats[]>;
  /** Every raw sample chrony accepted from its refclocks, from its refclocks.log. */
  refclockSamples(): ChronyRefclockSample[];
  stop(): Promise<void>;
}

export async function startChronyd(dir: string, refclockLines: readonly string[]): Promise<Chronyd> {
  const cmdSocket = join(dir, "chronyd.sock");
  const confPath = join(dir, "chrony.conf");
  writeFileSync(
    confPath,
    [
      "# generated for a test or simulation run",
      ...refclockLines,
      `bindcmdaddress ${cmdSocket}`,
      "cmdport 0",
      "port 0",
      `pidfile ${join(dir, "chronyd.pid")}`,
      `driftfile ${join(dir, "drift")}`,
      `logdir ${dir}`,
      "log refclocks",
      "",
    ].join("\n"),
  );
  const proc = spawn("chronyd", ["-x", "-d", "-u", "root", "-f", confPath], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const failed = new Promise<never>((_, reject) => proc.once("error", (e) => reject(new Error(`cannot run chronyd (${e.message}); install it: apt-get install chrony`))));
  for (let i = 0; i < 200 && !existsSync(cmdSocket); i++) {
    if (proc.exitCode !== null) throw new Error(`chronyd exited ${proc.exitCode}: ${out}`);
    await Promise.race([sleep(25), failed]);
  }
  if (!existsSync(cmdSocket)) throw new Error(`chronyd did not create ${cmdSocket}: ${out}`);
  const chronyc = async (...args: string[]): Promise<string> => (await run("chronyc", ["-h", cmdSocket, "-n", ...args], { timeout: 5000 })).stdout;
  return {
    dir,
    confPath,
    cmdSocket,
    process: proc,
    output: () => out,
    chronyc,
    async sources() {
      return parseSources(await chronyc("-c", "sources"));
    },
    async sourcestats() {
      return parseSourceStats(await chronyc("-c", "sourcestats"));
    },
    refclockSamples() {
      const path = join(dir, "refclocks.log");
      return existsSync(path) ? parseRefclockLog(readFileSync(path, "utf8")) : [];
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

const num = (s: string | undefined): number => Number(s ?? "NaN");

/** The rows of chronyc -c output, split into fields. */
const csvRows = (csv: string): string[][] =>
  csv
    .trim()
    .split("\n")
    .filter((l) => l.includes(","))
    .map((l) => l.split(","));

export function parseSources(csv: string): ChronySource[] {
  return csvRows(csv).map((f) => ({
    mode: f[0] ?? "",
    state: f[1] ?? "",
    name: f[2] ?? "",
    stratum: num(f[3]),
    poll: num(f[4]),
    reach: parseInt(f[5] ?? "0", 8),
    lastRxAgoS: f[6] === "-" ? null : num(f[6]),
    lastOffsetS: num(f[7]),
    measuredOffsetS: num(f[8]),
    errorS: num(f[9]),
  }));
}

export function parseSourceStats(csv: string): ChronySourceStats[] {
  return csvRows(csv).map((f) => ({
    name: f[0] ?? "",
    samples: num(f[1]),
    runs: num(f[2]),
    spanS: num(f[3]),
    frequencyPpm: num(f[4]),
    freqSkewPpm: num(f[5]),
    offsetS: num(f[6]),
    stdDevS: num(f[7]),
  }));
}

/** refclocks.log rows: "YYYY-MM-DD hh:mm:ss.ffffff REFID DP L P raw cooked disp"; filter rows (DP "-") are skipped. */
export function parseRefclockLog(text: string): ChronyRefclockSample[] {
  const out: ChronyRefclockSample[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^\d{4}-\d\d-\d\d$/.test(f[0]!) || !/^\d+$/.test(f[3]!)) continue;
    const [hms = "", frac = "0"] = f[1]!.split(".");
    out.push({ refid: f[2]!, localS: Date.parse(`${f[0]}T${hms}Z`) / 1000 + Number(`0.${frac}`), rawOffsetS: Number(f[6]) });
  }
  return out;
}
