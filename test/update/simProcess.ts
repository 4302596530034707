/* Starts simReceiverMain.js beside the test and waits for its pty and PPS directory. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export interface SimProcess {
  device: string;
  ppsDir: string;
  stop(): Promise<void>;
}

export async function simReceiverProcess(dir: string): Promise<SimProcess> {
  const child = spawn(process.execPath, [new URL("./simReceiverMain.js", import.meta.url).pathname, dir], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await Promise.race([once(lines, "line"), once(child, "exit").then(() => [null])])) as [string | null];
  if (first === null) throw new Error("the simulated receiver exited before it was ready");
  const { device, ppsDir } = JSON.parse(first) as { device: string; ppsDir: string };
  return {
    device,
    ppsDir,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
