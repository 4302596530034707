/*
 * A pseudo-terminal pair made by socat: the service opens `device` as if it
 * were the receiver's UART, the simulator writes to `feed`. Killing socat is
 * the receiver being unplugged.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface PtyPair {
  device: string;
  feed: string;
  process: ChildProcess;
  close(): Promise<void>;
}

export async function openPtyPair(device: string, feed: string): Promise<PtyPair> {
  const proc = spawn("socat", [`PTY,raw,echo=0,link=${device}`, `PTY,raw,echo=0,link=${feed}`], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) => proc.once("error", (e) => reject(new Error(`cannot run socat (${e.message}); install it: apt-get install socat`))));
  for (let i = 0; i < 100; i++) {
    if (existsSync(device) && existsSync(feed)) break;
    if (proc.exitCode !== null) throw new Error(`socat exited ${proc.exitCode}: ${stderr.trim()}`);
    await Promise.race([sleep(20), spawnError]);
  }
  if (!existsSync(device) || !existsSync(feed)) throw new Error(`socat did not create ${device} and ${feed}: ${stderr.trim()}`);
  return {
    device,
    feed,
    process: proc,
    close: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
