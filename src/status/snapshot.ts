/*
 * The status snapshot, built once a second from the health model and the
 * parts' own statuses: first the facts, then the alarms computed from them,
 * then the summary (the label and the verdict) from both. Nothing is patched
 * onto a built snapshot; what the panel, stratum1ctl, systemd and monitoring
 * read is one consistent object.
 */
import { skyView, type SkyViewCache } from "../gnss/skyView.js";
import type { RefclockSink } from "../refclock/sink.js";
import { alarmConditions, type AlarmTracker } from "./alarms.js";
import {
  STATUS_VERSION,
  type Alarm,
  type ChronyStatus,
  type FleetStatus,
  type GnssChecks,
  type HoldoverStatus,
  type HostStatus,
  type LcdStatus,
  type LeapStatus,
  type PpsStatus,
  type ReceiverControlView,
  type ServiceStatus,
  type SnapshotFacts,
  type StatusSnapshot,
  type UpdateInfo,
} from "./contract.js";
import { pulseAgainstNetwork } from "./gnssCrossCheck.js";
import type { Health } from "./health.js";
import { summarize } from "./summary.js";

export interface SnapshotParts {
  health: Health;
  device: { path: string; baud: number };
  sinks: readonly RefclockSink[];
  pps: PpsStatus | null;
  chrony: ChronyStatus | null;
  host: HostStatus | null;
  lcd: LcdStatus | null;
  /** Receiver control's view; null when the box cannot talk to the receiver. */
  gpsControl?: ReceiverControlView | null;
  /** The receiver health thresholds (gps.*); no checks when absent. */
  gnssLimits?: Omit<GnssChecks, "network">;
  /** Leap seconds (the receiver's announcement, the list); none known when absent. */
  leap?: LeapStatus;
  /** chrony holding over on the Pi's clock; not holding over when absent. */
  holdover?: HoldoverStatus;
  /** Seconds left of the UTC hold-off after a cold start; none when absent. */
  utcHoldoffLeftS?: number | null;
  startedUs: number;
  statusWriteError: string | null;
  faults: ServiceStatus["faults"];
  /** control.socket's counts; off when absent. */
  control?: ServiceStatus["control"];
  /** The fleet gate and the updater (status/neighbours.ts); not in a fleet, no update state when absent. */
  fleet?: FleetStatus | null;
  update?: UpdateInfo | null;
  /** The sky table's rows, kept while the table stands (the service's); made afresh each time when absent. */
  skyViews?: SkyViewCache;
}

/**
 * The snapshot is world-readable and is what people paste into forums and
 * bug reports; a home's exact location does not belong there. 4 decimals
 * (about 11 m) still show a fix that jumps or an antenna set up elsewhere.
 */
const POSITION_DECIMALS = 4;
const round = (x: number, decimals: number): number => Math.round(x * 10 ** decimals) / 10 ** decimals;

const NO_CHECKS: Omit<GnssChecks, "network"> = { jammingLevel: null, spoofingAlarm: false, networkLimitMs: null };

const iso = (us: number | undefined): string | null => (us ? new Date(us / 1000).toISOString() : null);

export function snapshotFacts(p: SnapshotParts, nowUs: number): SnapshotFacts {
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
      utcHoldoffLeftS: p.utcHoldoffLeftS ?? null,
    },
    fix: {
      mode: h.fix.mode ?? "unknown",
      satellitesUsed: h.fix.satellitesUsed ?? null,
      satellitesSeen: seen,
      seenBySystem: h.fix.satellitesSeen,
      dop: h.dop ? { ...h.dop } : null,
      position: h.position
        ? { latDeg: round(h.position.latDeg, POSITION_DECIMALS), lonDeg: round(h.position.lonDeg, POSITION_DECIMALS), altM: h.position.altM !== undefined ? Math.round(h.position.altM) : null }
        : null,
    },
    sky: h.sky
      ? {
          updatedAt: iso(h.sky.atUs) ?? new Date(nowUs / 1000).toISOString(),
          source: h.sky.source,
          satellites: p.skyViews ? p.skyViews.get(h.sky.satellites, h.sky.used) : skyView(h.sky.satellites, h.sky.used),
        }
      : null,
    receiver: h.receiver ? { ...h.receiver } : null,
    counts: { ...h.counts },
    rejected: { framing: { ...h.framing }, decode: { ...h.decode }, gate: { ...h.gate } },
    unsupported: { ...h.unsupported },
    sinks: Object.fromEntries(p.sinks.map((s) => [s.name, s.status()])),
    pps: p.pps,
    antenna: h.antenna ? { state: h.antenna.state, source: h.antenna.source, since: iso(h.antenna.sinceUs) } : null,
    jamming: h.jamming ? { state: h.jamming.state, indicator: h.jamming.indicator, source: h.jamming.source, since: iso(h.jamming.sinceUs) } : null,
    gpsControl: p.gpsControl ?? null,
    spoofing: h.spoofing ? { state: h.spoofing.state, source: h.spoofing.source, at: iso(h.spoofing.atUs) ?? "" } : null,
    gnssChecks: { ...(p.gnssLimits ?? NO_CHECKS), network: p.gnssLimits ? pulseAgainstNetwork(p.chrony) : null },
    chrony: p.chrony,
    host: p.host,
    lcd: p.lcd,
    leap: p.leap ?? { pending: null, receiverGpsMinusUtcS: null, list: null },
    holdover: p.holdover ?? { active: false, since: null, ageS: null, boundS: null, limitS: null, leftS: null, armed: null, expiredAt: null },
    service: { startedAt: new Date(p.startedUs / 1000).toISOString(), statusWriteError: p.statusWriteError, faults: p.faults, control: p.control ?? null },
    fleet: p.fleet ?? null,
    update: p.update ?? null,
  };
}

/** The snapshot from its facts and the alarms active: the summary is derived from both. */
export function completeSnapshot(facts: SnapshotFacts, alarms: readonly Alarm[], nowUs: number): StatusSnapshot {
  return { ...facts, summary: summarize(facts, alarms, nowUs), alarms: [...alarms] };
}

/** Facts, then the alarms the tracker raises from them, then the summary. */
export function buildSnapshot(p: SnapshotParts, nowUs: number, alarms: AlarmTracker): StatusSnapshot {
  const facts = snapshotFacts(p, nowUs);
  return completeSnapshot(facts, alarms.update(alarmConditions(facts, nowUs), nowUs), nowUs);
}
