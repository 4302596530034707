/*
 * The fleet test's laboratory: network namespaces joined by veth pairs,
 * processes started inside them, and a clean-up that runs whatever
 * happens (a failed step, an exception, Ctrl-C): every process this run
 * started is killed by its id, every namespace it made is deleted. Names
 * carry this run's id, so two runs on one machine never touch each other.
 * Only documentation and ULA prefixes are used, and only inside the
 * namespaces.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess | null;
  lines: string[];
}

export class Lab {
  readonly id = String(process.pid % 100000);
  private readonly namespaces: string[] = [];
  private readonly procs: Proc[] = [];
  private readonly pidFiles: string[] = [];
  readonly t0 = Date.now();

  ns(short: string): string {
    return `s1f${this.id}-${short}`;
  }

  /** Seconds since the lab started, for the log. */
  t(): string {
    return ((Date.now() - this.t0) / 1000).toFixed(1).padStart(6);
  }

  say(text: string): void {
    process.stdout.write(`[fleet ${this.t()}] ${text}\n`);
  }

  async sh(cmd: string, ...args: string[]): Promise<string> {
    try {
      return (await run(cmd, args, { timeout: 20_000, maxBuffer: 16 << 20 })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${cmd} ${args.join(" ")}: ${(e.stderr ?? e.message).trim()}`);
    }
  }

  /** A command inside a namespace. */
  inNs(ns: string, cmd: string, ...args: string[]): Promise<string> {
    return this.sh("ip", "netns", "exec", ns, cmd, ...args);
  }

  async addNamespace(short: string): Promise<string> {
    const name = this.ns(short);
    await this.sh("ip", "netns", "add", name);
    this.namespaces.push(name);
    await this.sh("ip", "-n", name, "link", "set", "lo", "up");
    // Forwarding for the router; harmless elsewhere. Links come up at once: no duplicate address detection to wait for.
    await this.inNs(name, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", "net.ipv4.ip_forward=1", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0");
    return name;
  }

  /** A veth pair from namespace a (interface ifA) to b (ifB), with addresses as "addr/len" lists. */
  async link(a: string, ifA: string, addrsA: string[], b: string, ifB: string, addrsB: string[]): Promise<void> {
    const tmp = `s1f${this.id}x${ifA}`.slice(0, 15);
    const tmpB = `s1f${this.id}y${ifB}`.slice(0, 15);
    await this.sh("ip", "link", "add", tmp, "type", "veth", "peer", "name", tmpB);
    await this.sh("ip", "link", "set", tmp, "netns", a, "name", ifA);
    await this.sh("ip", "link", "set", tmpB, "netns", b, "name", ifB);
    for (const [ns, ifc, addrs] of [
      [a, ifA, addrsA],
      [b, ifB, addrsB],
    ] as const) {
      for (const addr of addrs) await this.sh("ip", "-n", ns, "addr", "add", addr, "dev", ifc, ...(addr.includes(":") ? ["nodad"] : []));
      await this.sh("ip", "-n", ns, "link", "set", ifc, "up");
    }
  }

  /** A long-running process inside a namespace; its output kept (and echoed with its name when asked). */
  start(name: string, ns: string, cmd: string, args: string[], opts: { echo?: (line: string) => boolean; env?: NodeJS.ProcessEnv } = {}): Proc {
    const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
    const proc: Proc = { name, pid: child.pid ?? -1, child, lines: [] };
    let partial = "";
    const onText = (d: Buffer): void => {
      partial += d.toString();
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        proc.lines.push(line);
        if (opts.echo?.(line)) this.say(`${name}: ${line.replace(/^<\d>/, "")}`);
      }
    };
    child.stdout?.on("data", onText);
    child.stderr?.on("data", onText);
    this.procs.push(proc);
    return proc;
  }

  /** A daemon that writes its own pid file (FRR's): killed by that id at clean-up. */
  trackPidFile(path: string): void {
    this.pidFiles.push(path);
  }

  pidFromFile(path: string): number | undefined {
    if (!existsSync(path)) return undefined;
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** SIGKILL, by id: the process dies without a word, as a node that loses power. */
  kill(proc: Proc, signal: NodeJS.Signals = "SIGKILL"): void {
    try {
      process.kill(proc.pid, signal);
    } catch {
      // Already gone.
    }
  }

  killPidFile(path: string, signal: NodeJS.Signals = "SIGKILL"): void {
    const pid = this.pidFromFile(path);
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }

  async exited(proc: Proc, timeoutMs = 5000): Promise<boolean> {
    const c = proc.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      c.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Kills every process this run started (by id, SIGTERM then SIGKILL) and deletes its namespaces. */
  async cleanUp(): Promise<void> {
    for (const p of this.procs) this.kill(p, "SIGTERM");
    for (const f of this.pidFiles) this.killPidFile(f, "SIGTERM");
    await new Promise((r) => setTimeout(r, 800));
    for (const p of this.procs) this.kill(p, "SIGKILL");
    for (const f of this.pidFiles) this.killPidFile(f, "SIGKILL");
    for (const ns of this.namespaces.reverse()) {
      // Whatever is still inside one of our namespaces was started by this run (a daemon's child).
      const left = await this.sh("ip", "netns", "pids", ns).catch(() => "");
      for (const pid of left.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // Gone.
        }
      }
      await this.sh("ip", "netns", "del", ns).catch(() => undefined);
    }
  }
}
