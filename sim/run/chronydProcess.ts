/*
 * A real chronyd with a configuration of the caller's choosing, for the
 * cmdmon tests and bench: -x (never touches the host's clock), -d (in the
 * foreground, its log collected), -u root (no privilege drop, so it can use
 * the test's temporary directory). Unlike sim/run/chronyd.ts, which fixes
 * 'cmdport 0', the caller writes every line, so a UDP command port can be
 * opened beside the unix socket. The directory holding a unix command socket
 * must not be world-accessible (chronyd refuses it): mkdtemp's 0700 is right.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface ChronydProcess {
  process: ChildProcess;
  /** What chronyd logged so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Writes `lines` to confPath and starts chronyd; resolves once `readyPath`
 * (one of its sockets) exists. `command` is the program and what goes before
 * its arguments: the host's chronyd by default, or another build of it (the
 * cmdmon tests run Debian 13's out of the twin image through its loader).
 */
export async function startChronydWith(confPath: string, lines: readonly string[], readyPath: string, command: readonly string[] = ["chronyd"]): Promise<ChronydProcess> {
  writeFileSync(confPath, lines.join("\n") + "\n");
  const proc = spawn(command[0]!, [...command.slice(1), "-x", "-d", "-u", "root", "-f", confPath], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  proc.once("error", (e) => (out += `cannot run chronyd (${e.message}): apt-get install chrony`));
  for (let i = 0; i < 200 && !existsSync(readyPath) && proc.exitCode === null; i++) await sleep(25);
  if (!existsSync(readyPath)) {
    proc.kill("SIGTERM");
    throw new Error(`chronyd did not create ${readyPath}: ${out}`);
  }
  return {
    process: proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** A UDP port free on 127.0.0.1 a moment ago (for chronyd's NTP and command ports). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
