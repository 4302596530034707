/* Running stratum1ctl commands in-process as an operator would, and snapshots for them built by the product's own pipeline. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CtlIo } from "../../src/cli/ctl/command.js";
import { runCtl } from "../../src/cli/ctl/run.js";
import type { ChronyStatus, PpsStatus, StatusSnapshot } from "../../src/status/contract.js";
import type { Health } from "../../src/status/health.js";
import { snapshotFacts } from "../../src/status/snapshot.js";
import { readCaptureFile, replayThroughPipeline } from "./chk.js";
import { withHeldAlarms } from "./snapshot.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs `stratum1ctl argv…` in-process at realtime `nowUs`, stdout not a terminal unless `tty`. */
export async function ctl(argv: readonly string[], opts: { nowUs: number; tty?: boolean; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  let out = "";
  let err = "";
  const io: CtlIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: opts.tty ?? false, env: opts.env ?? {}, clock: new VirtualClock(opts.nowUs) };
  const code = await runCtl(argv, io);
  return { code, out, err };
}

export const tmp = (): string => mkdtempSync(join(tmpdir(), "s1-ctl-"));

export function writeSnapshot(dir: string, s: StatusSnapshot, name = "status.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(s, null, 2));
  return path;
}

/** The snapshot the service would write from this health (and pulse, chrony), alarms raised as the service raises them after 3 s. */
export function snapshotOf(health: Health, nowUs: number, parts: { pps?: PpsStatus | null; chrony?: ChronyStatus | null } = {}): StatusSnapshot {
  const facts = snapshotFacts(
    {
      health,
      device: { path: "/dev/serial0", baud: 9600 },
      sinks: [],
      pps: parts.pps ?? null,
      chrony: parts.chrony ?? null,
      host: { address: "192.0.2.10", iface: "eth0", cpuTempC: 47.2, uptimeS: 90_061 },
      lcd: null,
      startedUs: nowUs - 7200e6,
      statusWriteError: null,
      faults: {},
    },
    nowUs,
  );
  return withHeldAlarms(facts, nowUs);
}

/** A capture replayed through the real pipeline, paced like a receiver, ending at `nowUs` with its device open. */
export function captureHealth(name: string, nowUs: number): Health {
  const r = replayThroughPipeline(readCaptureFile(name), { floorS: 0, startUs: nowUs - 600e6, chunkBytes: 61 });
  // The replay ran in the past; the receiver is taken as still talking, so no "no data" alarm hides what the capture says.
  return stillTalking(r.health, nowUs);
}

/** Marks the serial device open and its last data recent, as the serial source does on a live line. */
export function stillTalking(h: Health, nowUs: number): Health {
  h.device = { state: "open", detail: "open at 9600 baud", sinceUs: nowUs - 3600e6 };
  h.last.bytesUs = nowUs - 200_000;
  h.last.reportUs = nowUs - 200_000;
  return h;
}
