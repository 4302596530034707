/*
 * stratum1d as a child process, as systemd would run it (with the node flags
 * of its unit): for the simulator, the integration tests and the bench. Its
 * log lines are collected so a caller can wait for a state change the way an
 * operator would read the journal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The simulated box's daemon: stratum1d's command line and service, with --lcd-socket and --gpio-fifo for the emulated parts; packed into one file as the box's is (packaging/pack.mjs). */
export const DAEMON_SCRIPT = fileURLToPath(new URL("../simd.packed.js", import.meta.url));
/** The same daemon as its modules, each in its own file. */
export const UNPACKED_DAEMON_SCRIPT = fileURLToPath(new URL("../simd.js", import.meta.url));

const UNIT = fileURLToPath(new URL("../../../systemd/stratum1d.service", import.meta.url));

/**
 * Node's own flags from the unit's ExecStart (/usr/bin/node FLAGS... stratum1d.packed.js): the
 * memory limits the box runs under, so that tests, the simulator and the bench run the
 * daemon as systemd does.
 */
export function unitNodeFlags(unitText: string = readFileSync(UNIT, "utf8")): string[] {
  const m = /^ExecStart=\/usr\/bin\/node((?: --[^ ]+)*) \/opt\/stratum1\/dist\/src\/cli\/stratum1d\.packed\.js$/m.exec(unitText);
  if (!m) throw new Error(`${UNIT}: no 'ExecStart=/usr/bin/node [--flag...] /opt/stratum1/dist/src/cli/stratum1d.packed.js' line`);
  return m[1]!
    .trim()
    .split(" ")
    .filter((f) => f !== "");
}

export interface DaemonProcess {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first log line (past or future) matching re. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
  stop(): Promise<number | null>;
}

/**
 * `nodeArgs` come before the unit's flags (the bench adds --cpu-prof); `unitFlags` stand in for the unit's (the bench compares flag sets);
 * `script` for the packed daemon (the bench profiles the unpacked modules, whose file names say where the time goes).
 */
export function spawnDaemon(
  args: readonly string[],
  echo?: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  nodeArgs: readonly string[] = [],
  unitFlags: readonly string[] = unitNodeFlags(),
  script: string = DAEMON_SCRIPT,
): DaemonProcess {
  const proc = spawn(process.execPath, [...nodeArgs, ...unitFlags, script, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let partial = "";
  const onText = (d: Buffer): void => {
    partial += d.toString();
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      echo?.(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.re.test(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  };
  proc.stdout?.on("data", onText);
  proc.stderr?.on("data", onText);
  return {
    process: proc,
    lines,
    waitFor(re, timeoutMs) {
      const found = lines.find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          re,
          resolve: (l: string) => {
            clearTimeout(t);
            resolve(l);
          },
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no log line matching ${re} within ${timeoutMs} ms; log so far:\n${lines.join("\n")}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
      proc.kill("SIGTERM");
      return exited;
    },
  };
}
