/*
 * The simulated box's configuration and its chronyd, as the appliance has
 * them: one stratum1.conf, read by stratum1d (--config) and turned into
 * chrony.conf by the product's own generator (src/chrony/chronyConf.ts) for
 * the chronyd installed here. So what an NTP client of the simulated box gets
 * (maxclockerror, the holdover trust time as fallbackdrift, rate limits, leap
 * seconds) is what a client of a real box gets. Only what cannot be the box's
 * on a test machine is changed: every path and socket lives in the run's
 * directory (set in stratum1.conf, state.dir included, or passed to the
 * generator as its state and confdir), the NTP port is the caller's on 127.0.0.1 or none, and
 * chronyd runs with -x (never steering this machine's clock).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chronyConf } from "../../src/chrony/chronyConf.js";
import type { ChronyFeatures } from "../../src/chrony/chronyFeatures.js";
import { installedChronyFeatures } from "../../src/cli/ctl/installedChronyd.js";
import { parseConfigText } from "../../src/config/load.js";
import { parseLoopbackPort, type Config } from "../../src/config/schema.js";
import { freeUdpPort } from "./chronydProcess.js";
import { launch, testLocalLines, type Chronyd, type ChronydOptions } from "./chronyd.js";

export interface BoxPaths {
  /** The UART the daemon opens (a pty) and the end the replay writes. */
  device: string;
  feed: string;
  nmeaSock: string;
  ppsSock: string;
  /** The fake kernel PPS directory (sysfs-shaped). */
  ppsDir: string;
  status: string;
}

export interface BoxConfig {
  dir: string;
  /** stratum1.conf, as the daemon reads it. */
  confPath: string;
  cfg: Config;
  paths: BoxPaths;
}

/**
 * Writes the box's stratum1.conf into dir: test-local paths and sockets, a
 * free loopback port for chronyd's monitoring face, no network servers (the
 * simulated box is offline: its time is the receiver's, or its own in
 * holdover), the host's leap list off (this machine's may have expired,
 * which is the host's business), then `settings` over those.
 */
export async function writeBoxConfig(dir: string, settings: Readonly<Record<string, string>> = {}): Promise<BoxConfig> {
  const paths: BoxPaths = {
    device: join(dir, "gps"),
    feed: join(dir, "feed"),
    nmeaSock: join(dir, "nmea.sock"),
    ppsSock: join(dir, "pps.sock"),
    ppsDir: join(dir, "pps0"),
    status: join(dir, "status.json"),
  };
  const all: Record<string, string> = {
    "serial.path": paths.device,
    "chrony.sock": paths.nmeaSock,
    "pps.sysfs": paths.ppsDir,
    "pps.sock": paths.ppsSock,
    "status.path": paths.status,
    "state.dir": join(dir, "state"),
    "capture.socket": join(dir, "capture.sock"),
    "chrony.monitor": `127.0.0.1:${await freeUdpPort()}`,
    "chrony.control": join(dir, "chronyd.sock"),
    "lcd.bus": "off",
    "time.leap-list": "off",
    "ntp.servers": "off",
    ...settings,
  };
  const text = ["# the simulated box's stratum1.conf (sim/run/box.ts)", ...Object.entries(all).map(([k, v]) => `${k} = ${v}`), ""].join("\n");
  const confPath = join(dir, "stratum1.conf");
  writeFileSync(confPath, text);
  const problems: string[] = [];
  const cfg = parseConfigText(text, confPath, undefined, problems);
  if (problems.length > 0) throw new Error(`the simulated box's stratum1.conf: ${problems.join("; ")}`);
  return { dir, confPath, cfg, paths };
}

export interface BoxChronydOptions extends ChronydOptions {
  /** What the generator writes for (default: the chronyd installed here, as on the box). */
  features?: ChronyFeatures;
}

/** chronyd on the box's generated chrony.conf, test-local lines last. */
export async function startBoxChronyd(box: BoxConfig, opts: BoxChronydOptions = {}): Promise<Chronyd> {
  const control = box.cfg["chrony.control"];
  const monitor = box.cfg["chrony.monitor"] ? parseLoopbackPort(box.cfg["chrony.monitor"]) : undefined;
  // Either off would leave chronyd on the appliance's /run/chrony socket or without the port stratum1d reads.
  if (control === null || monitor === undefined) throw new Error("the simulated box needs chrony.control and chrony.monitor set to test-local values");
  const stateDir = join(box.dir, "chrony-state");
  const confDir = join(box.dir, "chrony.d");
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(confDir, { recursive: true });
  const generated = chronyConf(box.cfg, { stateDir, confDir }, box.confPath, opts.features ?? installedChronyFeatures(process.env));
  return launch(box.dir, [generated, ...testLocalLines(box.dir, opts)].join("\n"), control, monitor.port, opts);
}
