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
import { freeUdpPort } from "./chronydProcess.js";
import { parseRefclockLog, parseSources, parseSourceStats, type ChronyRefclockSample } from "./chronycCsv.js";
import type { ChronySourceStats } from "../../src/chrony/cmdmon/views.js";
import type { ChronySource } from "../../src/status/contract.js";

const run = promisify(execFile);

export type { ChronySourceStats } from "../../src/chrony/cmdmon/views.js";
export type { ChronyRefclockSample } from "./chronycCsv.js";
export type { ChronySource } from "../../src/status/contract.js";

export interface Chronyd {
  dir: string;
  confPath: string;
  cmdSocket: string;
  /** chronyd's UDP command port, for chrony.monitor. */
  monitor: string;
  /** stratum1d flags that point it at this chronyd (chrony.monitor and chrony.control). */
  serviceSettings(): string[];
  process: ChildProcess;
  output(): string;
  chronyc(...args: string[]): Promise<string>;
  sources(): Promise<ChronySource[]>;
  sourcestats(): Promise<ChronySourceStats[]>;
  /** Every raw sample chrony accepted from its refclocks, from its refclocks.log. */
  refclockSamples(): ChronyRefclockSample[];
  stop(): Promise<void>;
}

export interface ChronydOptions {
  /** Serve NTP on this UDP port to 127.0.0.1 (default: no NTP port). */
  ntpPort?: number;
  /** Environment of the chronyd process (a replay at a capture's own dates runs it under libfaketime). */
  env?: NodeJS.ProcessEnv;
  /** The monitoring port; a restart passes the one it had, as chrony.conf keeps it on a real box. */
  cmdPort?: number;
}

export async function startChronyd(dir: string, refclockLines: readonly string[], opts: ChronydOptions = {}): Promise<Chronyd> {
  const cmdSocket = join(dir, "chronyd.sock");
  const cmdPort = opts.cmdPort ?? (await freeUdpPort());
  const confPath = join(dir, "chrony.conf");
  writeFileSync(
    confPath,
    [
      "# generated for a test or simulation run",
      ...refclockLines,
      `bindcmdaddress ${cmdSocket}`,
      // The monitoring face stratum1d reads (chrony.monitor), on loopback as the box's chrony.conf has it.
      `cmdport ${cmdPort}`,
      "bindcmdaddress 127.0.0.1",
      ...(opts.ntpPort ? [`port ${opts.ntpPort}`, "bindaddress 127.0.0.1", "allow 127.0.0.1"] : ["port 0"]),
      `pidfile ${join(dir, "chronyd.pid")}`,
      `driftfile ${join(dir, "drift")}`,
      `logdir ${dir}`,
      "log refclocks",
      "",
    ].join("\n"),
  );
  const proc = spawn("chronyd", ["-x", "-d", "-u", "root", "-f", confPath], { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
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
    monitor: `127.0.0.1:${cmdPort}`,
    serviceSettings: () => ["--set", `chrony.monitor=127.0.0.1:${cmdPort}`, "--set", `chrony.control=${cmdSocket}`],
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
