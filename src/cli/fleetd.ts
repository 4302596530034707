#!/usr/bin/env node
/*
 * stratum1-fleetd: the fleet health gate as its own small service
 * (stratum1-fleet.service). Its own process because it is the one part that
 * changes the network (CAP_NET_ADMIN for the service addresses) and the one
 * part a stratum-2 node without a receiver runs beside chrony; stratum1d
 * stays unprivileged, and reads the gate's state (fleet.status) for its
 * panel and status. Builds the Linux parts (chrony's monitoring port, `ip`,
 * stratum1d's status file) and runs src/fleet/fleetGate.ts on them.
 */
import { readFile } from "node:fs/promises";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseCommandLine } from "../config/args.js";
import { ConfigError } from "../config/load.js";
import { type Config, parseLoopbackPort } from "../config/schema.js";
import { ChronyReader } from "../chrony/cmdmon/chronyReader.js";
import { CmdmonClient } from "../chrony/cmdmon/client.js";
import { boxFacts } from "../fleet/boxFacts.js";
import { FleetGate, type GateInputs } from "../fleet/fleetGate.js";
import type { FleetGateStatus } from "../fleet/gateStatus.js";
import { type GateRun, gateRun } from "../fleet/gateSettings.js";
import type { CommandChannel } from "../hal/commandChannel.js";
import { ipServiceAddresses } from "../hal/linux/ipServiceAddresses.js";
import { systemClock } from "../hal/linux/systemClock.js";
import { systemdNotifier } from "../hal/linux/systemdNotify.js";
import { openUdpCommandChannel } from "../hal/linux/udpCommandChannel.js";
import { openUnixCommandChannel } from "../hal/linux/unixCommandChannel.js";
import { stdoutLogger, type Logger } from "../log/logger.js";
import { EXIT } from "./exitCodes.js";

const USAGE = `usage: stratum1-fleetd [--config FILE] [--set key=value]...
The fleet health gate: announces this node's service addresses (fleet.own, fleet.backup) on the
fleet interfaces that FRR redistributes while chrony's time is good, with a longer AS path while it
is degraded, and takes them off while it is bad. See docs/fleet.md and stratum1.conf(5), fleet.*.`;

async function chronyChannel(chrony: GateRun["chrony"]): Promise<CommandChannel> {
  const monitor = chrony.monitor ? parseLoopbackPort(chrony.monitor) : undefined;
  if (monitor) return openUdpCommandChannel(monitor.host, monitor.port);
  if (chrony.control) return openUnixCommandChannel(chrony.control);
  throw new Error("chrony.monitor and chrony.control are both off: the gate cannot read chrony; set chrony.monitor = 127.0.0.1:323");
}

/**
 * The status file, replaced whole (a reader never sees half of it), one write at a time. A status
 * given while a write is under way is written right after it (the latest one only), not dropped:
 * a transition would otherwise reach the file a check later.
 */
function statusWriter(path: string | null, log: Logger): (s: FleetGateStatus) => void {
  if (path === null) return () => {};
  let writing = false;
  let pending: FleetGateStatus | undefined;
  let failed: string | null = null;
  const next = (): void => {
    const s = pending;
    if (writing || s === undefined) return;
    pending = undefined;
    writing = true;
    const tmp = `${path}.${process.pid}.tmp`;
    mkdir(dirname(path), { recursive: true })
      .then(() => writeFile(tmp, JSON.stringify(s, null, 2) + "\n", { mode: 0o644 }))
      .then(() => rename(tmp, path))
      .then(
        () => (failed = null),
        (err: Error) => {
          if (failed !== err.message) log.warn(`fleet: cannot write ${path}: ${err.message}`);
          failed = err.message;
        },
      )
      .finally(() => {
        writing = false;
        next();
      });
  };
  return (s) => {
    pending = s;
    next();
  };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE + "\n");
    return EXIT.ok;
  }
  let cfg: Config;
  try {
    cfg = parseCommandLine(argv, process.env.STRATUM1_CONFIG).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Nothing is announced on a configuration that cannot be read: the node stays out of the fleet.
    for (const p of err.problems) process.stdout.write(`<3>config: ${p}\n`);
    return EXIT.config;
  }
  const run = gateRun(cfg);
  const log = stdoutLogger(run.logLevel);
  const manager = systemdNotifier(process.env, (m) => log.warn(m));
  if (!run.on) {
    log.info("stratum1-fleetd: fleet.gate = off in stratum1.conf: not in a fleet, nothing to announce; exiting");
    // Ready before leaving: a Type=notify unit whose process exits before READY=1 has failed, and would be restarted.
    manager?.ready("not in a fleet (fleet.gate = off)");
    return EXIT.ok;
  }
  if (run.problems.length > 0) {
    for (const p of run.problems) log.error(`config: ${p}`);
    log.error("stratum1-fleetd: nothing is announced until stratum1.conf is fixed (stratum1ctl config check)");
    return EXIT.config;
  }
  const clock = systemClock();
  let channel: CommandChannel;
  try {
    channel = await chronyChannel(run.chrony);
  } catch (err) {
    log.error(`stratum1-fleetd: ${(err as Error).message}`);
    return EXIT.config;
  }
  const reader = new ChronyReader({ monitoring: new CmdmonClient(channel, clock) });
  const boxStatus = run.boxStatus;
  const inputs: GateInputs = {
    tracking: () => reader.tracking(),
    ...(boxStatus !== null ? { box: async () => boxFacts(await readFile(boxStatus, "utf8").catch(() => null), clock.realtimeUs()) } : {}),
  };
  const write = statusWriter(run.statusFile, log);
  const settings = run.settings;
  const gate = new FleetGate(settings, inputs, ipServiceAddresses(), clock, log, (s) => {
    write(s);
    manager?.watchdog();
    manager?.status(`${s.state}: ${s.reason}`);
  });
  log.info(
    `stratum1-fleetd starting: own ${settings.own.join(", ") || "none"}, backup ${settings.backup.join(", ") || "none"}; check every ${settings.checkMs / 1000} s, down after ${settings.hysteresis.fail}, up after ${settings.hysteresis.pass}, hold-down ${settings.hysteresis.holdDownMs / 1000} s; receiver ${run.receiver}`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`stratum1-fleetd stopping (${sig}): taking the service addresses off`);
      manager?.stopping();
      gate.stop().then(
        () => {
          channel.close();
          resolve(EXIT.ok);
        },
        (err: Error) => {
          log.error(`stratum1-fleetd: stop failed: ${err.message}`);
          resolve(EXIT.software);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    gate.start().then(
      () => manager?.ready("checking"),
      (err: Error) => log.error(`stratum1-fleetd: ${err.message}`),
    );
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stdout.write(`<3>stratum1-fleetd: ${err.stack ?? err.message}\n`);
    process.exit(EXIT.software);
  },
);
