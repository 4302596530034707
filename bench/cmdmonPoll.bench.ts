/*
 * What one of ChronyMonitor's poll rounds (tracking, sources, serverstats,
 * every 5 s) costs in CPU: spawning `chronyc -n -c` three times, as the
 * monitor does today, against speaking cmdmon directly (over the unix
 * socket for all three, or UDP for tracking and sources with serverstats on
 * the unix socket). A real chronyd 4.3 with a refclock and an NTP source
 * answers; the same number of rounds is run each way, one after the other.
 *
 * CPU is counted where it is spent: this process (process.cpuUsage), the
 * chronyc children (the kernel's cutime/cstime of reaped children, from
 * /proc/self/stat), and chronyd (its utime/stime). BENCH_CMDMON_ROUNDS sets
 * the rounds per way (default 200). A measurement, not a test.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CmdmonClient } from "../src/chrony/cmdmon/client.js";
import { openUdpCommandChannel } from "../src/hal/linux/udpCommandChannel.js";
import { openUnixCommandChannel } from "../src/hal/linux/unixCommandChannel.js";
import { systemClock } from "../src/hal/linux/systemClock.js";
import { native } from "../src/hal/linux/native.js";
import { freeUdpPort, startChronydWith } from "../sim/run/chronydProcess.js";

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_CMDMON_ROUNDS ?? 200);
const POLL_S = 5;
/** USER_HZ: /proc's times are in these ticks. */
const TICK_MS = 10;

/** utime + stime (+ cutime + cstime: reaped children) of a process from /proc, in ms. */
function procCpuMs(pid: number | "self", children: boolean): number {
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = (i: number): number => Number(f[i - 3]);
  return (ticks(14) + ticks(15) + (children ? ticks(16) + ticks(17) : 0)) * TICK_MS;
}

const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Cost {
  way: string;
  selfMs: number;
  childrenMs: number;
  chronydMs: number;
  wallMs: number;
}

async function measure(way: string, chronydPid: number, round: () => Promise<unknown>): Promise<Cost> {
  await round(); // warm-up: module loading, first connection
  const self0 = selfCpuMs();
  const children0 = procCpuMs("self", true) - procCpuMs("self", false);
  const chronyd0 = procCpuMs(chronydPid, false);
  const wall0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) await round();
  return {
    way,
    selfMs: (selfCpuMs() - self0) / ROUNDS,
    childrenMs: (procCpuMs("self", true) - procCpuMs("self", false) - children0) / ROUNDS,
    chronydMs: (procCpuMs(chronydPid, false) - chronyd0) / ROUNDS,
    wallMs: (performance.now() - wall0) / ROUNDS,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-cmdmon-bench-"));
  const [serverPort, cmdPort] = [await freeUdpPort(), await freeUdpPort()];
  const server = await startChronydWith(
    join(dir, "server.conf"),
    ["local stratum 8", `port ${serverPort}`, "bindaddress 127.0.0.1", "allow 127.0.0.1", "cmdport 0", `bindcmdaddress ${dir}/server.sock`, `pidfile ${dir}/server.pid`],
    join(dir, "server.sock"),
  );
  const sock = join(dir, "chronyd.sock");
  const box = await startChronydWith(
    join(dir, "box.conf"),
    [
      `refclock SOCK ${dir}/gps.sock refid GPS poll 1`,
      `server 127.0.0.1 port ${serverPort} iburst`,
      "port 0",
      `cmdport ${cmdPort}`,
      "bindcmdaddress 127.0.0.1",
      `bindcmdaddress ${sock}`,
      `pidfile ${dir}/box.pid`,
    ],
    sock,
  );
  const calls = native();
  const fd = calls.dgramOpen();
  const feed = systemClock().every(250, () => {
    const us = calls.realtimeUs();
    calls.dgramSendTo(fd, join(dir, "gps.sock"), calls.packSockSample(Math.floor(us / 1e6), us % 1e6, 0, 0, 0));
  });
  const unix = await openUnixCommandChannel(sock);
  const udp = await openUdpCommandChannel("127.0.0.1", cmdPort);
  const viaUnix = new CmdmonClient(unix, systemClock());
  const viaUdp = new CmdmonClient(udp, systemClock());
  const chronyc = (args: string[]): Promise<unknown> => run("chronyc", ["-h", sock, "-n", "-c", ...args], { timeout: 3000 });
  const pid = box.process.pid!;
  try {
    const costs = [
      await measure("chronyc -c ×3 (today)", pid, () => Promise.all([chronyc(["tracking"]), chronyc(["sources"]), chronyc(["serverstats"])])),
      await measure("cmdmon, unix socket", pid, () => Promise.all([viaUnix.tracking(), viaUnix.sources(), viaUnix.serverStats()])),
      await measure("cmdmon, UDP + unix for serverstats", pid, () => Promise.all([viaUdp.tracking(), viaUdp.sources(), viaUnix.serverStats()])),
      await measure("cmdmon, UDP only (no serverstats)", pid, () => Promise.all([viaUdp.tracking(), viaUdp.sources()])),
    ];
    console.log(`CPU per poll round (tracking, sources, serverstats), ${ROUNDS} rounds each; chronyd with 2 sources`);
    console.log("way                                   | stratum1d ms | chronyc ms | total ms | chronyd ms | wall ms | total per s at 5 s polls");
    for (const c of costs) {
      const total = c.selfMs + c.childrenMs;
      console.log(
        `${c.way.padEnd(38)}| ${c.selfMs.toFixed(3).padStart(12)} | ${c.childrenMs.toFixed(3).padStart(10)} | ${total.toFixed(3).padStart(8)} | ${c.chronydMs.toFixed(3).padStart(10)} | ${c.wallMs.toFixed(2).padStart(7)} | ${(total / POLL_S).toFixed(3)} ms/s`,
      );
    }
  } finally {
    feed();
    calls.fdClose(fd);
    unix.close();
    udp.close();
    await box.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
