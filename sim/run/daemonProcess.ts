/*
 * stratum1d as a child process, as systemd would run it: for the simulator
 * and the integration tests. Its log lines are collected so a caller can wait
 * for a state change the way an operator would read the journal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The simulated box's daemon: stratum1d's command line and service, with --lcd-socket and --gpio-fifo for the emulated parts. */
export const DAEMON_SCRIPT = fileURLToPath(new URL("../simd.js", import.meta.url));

export interface DaemonProcess {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first log line (past or future) matching re. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
  stop(): Promise<number | null>;
}

export function spawnDaemon(args: readonly string[], echo?: (line: string) => void, env: NodeJS.ProcessEnv = process.env): DaemonProcess {
  const proc = spawn(process.execPath, [DAEMON_SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
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
