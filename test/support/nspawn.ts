/*
 * Booting a root file system with systemd-nspawn the way the Pi boots it:
 * the root read-only, image/overlay/usr/lib/stratum1/overlay-init as PID 1
 * (it puts the RAM overlay on top and execs systemd), a host directory as
 * the data partition and another as the boot partition, and a veth link with
 * fixed test addresses so that SSH, NTP and the firewall are tried from
 * outside, as a client on the network would.
 * Commands run inside through nsenter into the container's namespaces.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const HOST_ADDR = "10.231.0.1";
export const BOX_ADDR = "10.231.0.2";

export interface BootOptions {
  root: string;
  data: string;
  boot: string;
  log: string;
  machine: string;
  /** More systemd-nspawn options (binds of devices and directories the test provides). */
  extraArgs?: readonly string[];
}

export class Container {
  private exited: Promise<number | null>;
  private output = "";

  private constructor(
    private readonly nspawn: ChildProcess,
    readonly opts: BootOptions,
  ) {
    this.exited = new Promise((resolve) => nspawn.once("exit", (code) => resolve(code)));
    nspawn.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    nspawn.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
  }

  static async boot(opts: BootOptions): Promise<Container> {
    mkdirSync(opts.data, { recursive: true });
    const nspawn = spawn(
      "systemd-nspawn",
      [
        `--directory=${opts.root}`,
        "--read-only",
        `--machine=${opts.machine}`,
        "--register=no",
        "--keep-unit",
        "--network-veth",
        `--bind=${opts.data}:/data`,
        `--bind-ro=${opts.boot}:/boot/firmware`,
        "--kill-signal=SIGRTMIN+3",
        "--console=pipe",
        ...(opts.extraArgs ?? []),
        "/usr/lib/stratum1/overlay-init",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const c = new Container(nspawn, opts);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn exited ${nspawn.exitCode}:\n${c.output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`no systemd in the container after 120 s:\n${c.output.slice(-4000)}`);
      const state = c.pid1() ? c.run(["systemctl", "is-system-running"]).stdout.trim() : "";
      if (state === "running" || state === "degraded") break;
      await sleep(500);
    }
    const veth = `ve-${opts.machine}`.slice(0, 15);
    execFileSync("ip", ["addr", "replace", `${HOST_ADDR}/30`, "dev", veth]);
    execFileSync("ip", ["link", "set", veth, "up"]);
    return c;
  }

  /** The container's PID 1 as the host sees it (systemd, after overlay-init's exec). */
  pid1(): number | null {
    const pid = this.nspawn.pid;
    if (pid === undefined) return null;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
        .trim()
        .split(" ")
        .filter((s) => s !== "");
      for (const child of children) {
        const comm = readFileSync(`/proc/${child}/comm`, "utf8").trim();
        if (comm === "systemd" || comm === "init") return Number(child);
      }
    }
    return null;
  }

  /** A command inside the container (its root, mounts, PID and network namespaces). */
  run(argv: readonly string[], input?: string): SpawnSyncReturns<string> {
    const pid = this.pid1();
    if (pid === null) throw new Error("container not running");
    return spawnSync("nsenter", ["-t", String(pid), "-m", "-u", "-i", "-n", "-p", "-r", "-w", "--", ...argv], {
      encoding: "utf8",
      input,
      timeout: 60_000,
      env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
    });
  }

  /** The output of a command inside that must succeed. */
  sh(script: string): string {
    const r = this.run(["sh", "-c", script]);
    if (r.status !== 0) throw new Error(`'${script}' failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** A host program (the host's binaries) in the container's network namespace only. */
  inNetwork(argv: readonly string[]): ChildProcess {
    return spawn("nsenter", ["-t", String(this.pid1()), "-n", "--", ...argv], { stdio: "ignore" });
  }

  unit(name: string): Record<string, string> {
    const out = this.sh(`systemctl show ${name} -p ActiveState -p SubState -p StatusText -p MainPID -p NRestarts -p User -p ExecMainStatus`);
    return Object.fromEntries(
      out
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
  }

  async waitUnit(name: string, ok: (u: Record<string, string>) => boolean, seconds: number): Promise<Record<string, string>> {
    let u = this.unit(name);
    for (let i = 0; i < seconds * 4 && !ok(u); i++) {
      await sleep(250);
      u = this.unit(name);
    }
    return u;
  }

  log(): string {
    return this.output;
  }

  /** The container's end (a reboot or poweroff from inside): nspawn's exit code, or null if still running after the time. */
  async waitExit(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    const code = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return code;
  }

  /** systemd's clean shutdown (SIGRTMIN+3 to PID 1 via nspawn's kill signal), then nspawn's exit. */
  async poweroff(): Promise<void> {
    if (this.nspawn.exitCode !== null) return;
    this.nspawn.kill("SIGTERM");
    const timer = setTimeout(() => this.nspawn.kill("SIGKILL"), 60_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The host-side overlay that adds the CI's few files to the twin's root without changing it. */
export function mountCiOverlay(lower: string, work: string, files: Record<string, string | Buffer>): string {
  const upper = join(work, "upper");
  const merged = join(work, "merged");
  for (const d of [upper, join(work, "work"), merged]) mkdirSync(d, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(upper, path, ".."), { recursive: true });
    execFileSync("sh", ["-c", 'cat > "$1"', "sh", join(upper, path)], { input: text });
  }
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lower},upperdir=${upper},workdir=${join(work, "work")}`, merged]);
  return merged;
}

/** Whether a TCP connection to the box opens within the time (a dropped SYN never answers). */
export function tcpOpens(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: BOX_ADDR, port, timeout: ms });
    const done = (open: boolean): void => {
      sock.destroy();
      resolve(open);
    };
    sock.once("connect", () => done(true));
    sock.once("timeout", () => done(false));
    sock.once("error", () => done(false));
  });
}

/** An NTP client request (mode 3) to the box; resolves with the reply's mode and stratum, or null on silence. */
export function ntpQuery(ms: number): Promise<{ mode: number; stratum: number } | null> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const request = Buffer.alloc(48);
    request[0] = (4 << 3) | 3;
    const timer = setTimeout(() => {
      sock.close();
      resolve(null);
    }, ms);
    sock.once("message", (m) => {
      clearTimeout(timer);
      sock.close();
      resolve({ mode: m[0]! & 7, stratum: m[1]! });
    });
    sock.send(request, 123, BOX_ADDR);
  });
}

export function unmount(path: string): void {
  if (existsSync(path)) spawnSync("umount", ["-l", path]);
}
