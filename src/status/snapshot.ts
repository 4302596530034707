/*
 * The status snapshot: what the LCD, stratum1ctl and monitoring read. Plain
 * JSON, versioned, written to a temp file and renamed so a reader never sees
 * half a file, asynchronously so the event loop that stamps serial data never
 * waits on the SD card.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ChronyStatus } from "../chrony/chronyMonitor.js";
import type { LcdStatus } from "../display/frontPanel.js";
import type { AntennaState, Dop, ReceiverIdentity } from "../gnss/report.js";
import { skyView, type SatelliteView } from "../gnss/skyView.js";
import type { HostStatus } from "../host/hostMonitor.js";
import type { RefclockSink, SinkStatus } from "../refclock/sink.js";
import type { PpsStatus } from "../pps/ppsService.js";
import type { Alarm } from "./alarms.js";
import type { Health } from "./health.js";

export const STATUS_VERSION = 1;

export interface StatusSnapshot {
  version: number;
  updatedAt: string;
  device: { path: string; baud: number; state: string; detail: string; since: string | null; lastDataAt: string | null; lastReportAt: string | null };
  time: { state: string; detail: string; since: string | null; lastUtc: string | null; lastSampleAt: string | null; lastOffsetS: number | null };
  fix: {
    mode: string;
    satellitesUsed: number | null;
    satellitesSeen: number;
    seenBySystem: Record<string, number>;
    /** The latest DOPs the receiver gave (GSA, NAV-DOP, NAV-PVT); null when it gives none. */
    dop: Dop | null;
    /** Rounded to 1e-4° (about 11 m) and 1 m: see POSITION_DECIMALS. null without a fix. */
    position: { latDeg: number; lonDeg: number; altM: number | null } | null;
  };
  /** The satellite table (GSV+GSA or NAV-SAT), at most MAX_SKY_SATELLITES rows; null until the receiver lists any. */
  sky: { updatedAt: string; source: string; satellites: SatelliteView[] } | null;
  /** What the receiver says it is; null when it never says. */
  receiver: (ReceiverIdentity & { source: string }) | null;
  counts: Health["counts"];
  rejected: { framing: Record<string, number>; decode: Record<string, number>; gate: Record<string, number> };
  unsupported: Record<string, number>;
  sinks: Record<string, SinkStatus>;
  /** null when no pulse source is configured. */
  pps: PpsStatus | null;
  /** null until the receiver says anything about its antenna. */
  antenna: { state: AntennaState; source: string; since: string | null } | null;
  /** null when chrony.command is off. */
  chrony: ChronyStatus | null;
  host: HostStatus | null;
  /** null when lcd.bus is off. */
  lcd: LcdStatus | null;
  service: { startedAt: string; statusWriteError: string | null };
  /** Active alarms, most fundamental first (filled in after the rest: they are derived from it). */
  alarms: Alarm[];
}

export interface SnapshotParts {
  health: Health;
  device: { path: string; baud: number };
  sinks: readonly RefclockSink[];
  pps: PpsStatus | null;
  chrony: ChronyStatus | null;
  host: HostStatus | null;
  lcd: LcdStatus | null;
  startedUs: number;
  statusWriteError: string | null;
}

/**
 * The snapshot is world-readable and is what people paste into forums and
 * bug reports; a home's exact location does not belong there. 4 decimals
 * (about 11 m) still show a fix that jumps or an antenna set up elsewhere.
 */
const POSITION_DECIMALS = 4;
const round = (x: number, decimals: number): number => Math.round(x * 10 ** decimals) / 10 ** decimals;

const iso = (us: number | undefined): string | null => (us ? new Date(us / 1000).toISOString() : null);

export function buildSnapshot(p: SnapshotParts, nowUs: number): StatusSnapshot {
  const h = p.health;
  const seen = Object.values(h.fix.satellitesSeen).reduce((a, b) => a + b, 0);
  return {
    version: STATUS_VERSION,
    updatedAt: new Date(nowUs / 1000).toISOString(),
    device: { ...p.device, state: h.device.state, detail: h.device.detail, since: iso(h.device.sinceUs), lastDataAt: iso(h.last.bytesUs), lastReportAt: iso(h.last.reportUs) },
    time: {
      state: h.time.state,
      detail: h.time.detail,
      since: iso(h.time.sinceUs),
      lastUtc: h.last.utcSecond !== undefined ? new Date(h.last.utcSecond * 1000).toISOString() : null,
      lastSampleAt: iso(h.last.sampleLocalUs),
      lastOffsetS: h.last.offsetS ?? null,
    },
    fix: {
      mode: h.fix.mode ?? "unknown",
      satellitesUsed: h.fix.satellitesUsed ?? null,
      satellitesSeen: seen,
      seenBySystem: h.fix.satellitesSeen,
      dop: h.dop ? { ...h.dop } : null,
      position: h.position ? { latDeg: round(h.position.latDeg, POSITION_DECIMALS), lonDeg: round(h.position.lonDeg, POSITION_DECIMALS), altM: h.position.altM !== undefined ? Math.round(h.position.altM) : null } : null,
    },
    sky: h.sky ? { updatedAt: iso(h.sky.atUs) ?? new Date(nowUs / 1000).toISOString(), source: h.sky.source, satellites: skyView(h.sky.satellites, h.sky.used) } : null,
    receiver: h.receiver ? { ...h.receiver } : null,
    counts: { ...h.counts },
    rejected: { framing: { ...h.framing }, decode: { ...h.decode }, gate: { ...h.gate } },
    unsupported: { ...h.unsupported },
    sinks: Object.fromEntries(p.sinks.map((s) => [s.name, s.status()])),
    pps: p.pps,
    antenna: h.antenna ? { state: h.antenna.state, source: h.antenna.source, since: iso(h.antenna.sinceUs) } : null,
    chrony: p.chrony,
    host: p.host,
    lcd: p.lcd,
    service: { startedAt: new Date(p.startedUs / 1000).toISOString(), statusWriteError: p.statusWriteError },
    alarms: [],
  };
}

export class SnapshotWriter {
  private writing = false;

  constructor(private readonly path: string) {}

  /** Skips a write while the previous one is still in flight (a slow SD card must not queue writes). */
  async write(snapshot: StatusSnapshot): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, JSON.stringify(snapshot, null, 2) + "\n", { mode: 0o644 });
      await rename(tmp, this.path);
    } finally {
      this.writing = false;
    }
  }
}
