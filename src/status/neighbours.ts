/*
 * The fleet gate's and the updater's state, as the status snapshot shows
 * them, from the files those programs write (fleet.status, and
 * /run/stratum1-update/status.json). Both files are read every second, from
 * the status tick (no wake-up of its own); what they mean for the box (its
 * state, reason, progress) is decided here, and the alarms from that in alarms.ts, so that the panel,
 * stratum1ctl and the metrics only show it.
 */
import type { FleetGateStatus } from "../fleet/gateStatus.js";
import type { StateFiles } from "../hal/stateFiles.js";
import type { UpdateStatus } from "../update/updateStatus.js";
import type { FleetHealth, FleetStatus, UpdateInfo } from "./contract.js";

/** What the gate's own names mean for the fleet: announced is healthy, withdrawn is bad. */
const HEALTH: Record<FleetGateStatus["state"], FleetHealth> = { announced: "healthy", degraded: "degraded", withdrawn: "bad" };

/** The gate rewrites its file at every check; this many checks missed and it is stopped or hung (its watchdog is 30 s). */
const STALE_CHECKS = 5;

/**
 * The fleet gate's state from its file's text. Only asked on a box in a
 * fleet (fleet.gate = on): there a missing file means the gate is not
 * running (its RuntimeDirectory goes with it), so nothing is announced.
 */
export function fleetStatus(text: string | null, file: string, nowUs: number): FleetStatus {
  const down = (reason: string, updatedAt: string | null = null): FleetStatus => ({ state: "bad", reason, since: null, updatedAt, holdDownLeftS: null });
  if (text === null) return down(`stratum1-fleetd is not running (no ${file}): nothing is announced; systemctl status stratum1-fleet`);
  let g: Partial<FleetGateStatus>;
  try {
    g = JSON.parse(text) as Partial<FleetGateStatus>;
  } catch {
    return down(`${file} is not JSON: is stratum1-fleetd the same version as stratum1d?`);
  }
  const state = typeof g.state === "string" ? HEALTH[g.state] : undefined;
  const at = typeof g.updatedAt === "string" ? Date.parse(g.updatedAt) : Number.NaN;
  if (state === undefined || Number.isNaN(at)) return down(`${file} has no state the service understands: is stratum1-fleetd the same version as stratum1d?`);
  const updatedAt = new Date(at).toISOString();
  const ageS = nowUs / 1e6 - at / 1000;
  const checkS = typeof g.checkS === "number" && g.checkS > 0 ? g.checkS : 2;
  // A hung gate stops refreshing its addresses, and their lifetimes (fleet.lifetime) withdraw them soon.
  if (ageS > STALE_CHECKS * checkS) return down(`stratum1-fleetd has not checked for ${Math.round(ageS)} s (hung or stopped): its addresses expire`, updatedAt);
  return {
    state,
    reason: typeof g.reason === "string" ? g.reason : "",
    since: typeof g.since === "string" ? g.since : null,
    updatedAt,
    holdDownLeftS: typeof g.holdDownLeftS === "number" ? g.holdDownLeftS : null,
  };
}

/** The updater's state from its status file's text; null when there is none or it is not one this service reads. */
export function updateInfo(text: string | null): UpdateInfo | null {
  if (text === null) return null;
  let u: UpdateStatus;
  try {
    u = JSON.parse(text) as UpdateStatus;
  } catch {
    return null;
  }
  if (u?.version !== 1 || typeof u.running?.version !== "string") return null;
  const r = u.rollback;
  return {
    version: u.running.version,
    slot: u.running.slot ?? null,
    phase: u.phase,
    install: u.phase === "installing" && u.install ? { percent: Math.max(0, Math.min(100, Math.round(u.install.percent))), step: u.install.step } : null,
    rollback: r && !r.acknowledged ? { version: r.version, slot: r.slot, at: r.at, reason: r.reason } : null,
  };
}

export interface NeighbourFiles {
  /** fleet.status on a box with fleet.gate = on; null: not in a fleet. */
  fleet: string | null;
  /** The updater's status file. */
  update: string | null;
}

/** Reads both files when polled, every second from the status tick (install progress moves that fast), and keeps their latest text. */
export class NeighbourWatch {
  private texts: { fleet: string | null; update: string | null } = { fleet: null, update: null };

  constructor(
    private readonly files: StateFiles,
    private readonly paths: NeighbourFiles,
    private readonly warn: (message: string) => void,
  ) {}

  poll(): void {
    this.texts = { fleet: this.read(this.paths.fleet), update: this.read(this.paths.update) };
  }

  /** Once per distinct error: a file that cannot be read reads as missing, and the log says why once. */
  private lastError = new Map<string, string>();

  private read(path: string | null): string | null {
    if (path === null) return null;
    try {
      const text = this.files.read(path);
      this.lastError.delete(path);
      return text;
    } catch (err) {
      const message = (err as Error).message;
      if (this.lastError.get(path) !== message) this.warn(`status: cannot read ${path}: ${message}`);
      this.lastError.set(path, message);
      return null;
    }
  }

  fleet(nowUs: number): FleetStatus | null {
    return this.paths.fleet === null ? null : fleetStatus(this.texts.fleet, this.paths.fleet, nowUs);
  }

  update(): UpdateInfo | null {
    return updateInfo(this.texts.update);
  }
}
