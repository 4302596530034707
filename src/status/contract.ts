/*
 * The status contract: every type of the snapshot the service writes once a
 * second (status.path), which the front panel, stratum1ctl, systemd's status
 * line and monitoring read. States and reasons are typed unions; the unions
 * of reasons are defined where the decision is made (the time gate, the
 * associator, the framer, the decoders) and re-exported here, so a reader
 * imports its whole vocabulary from this one module. Producers (the pulse
 * service, the chrony monitor, the panel, the sinks) build their parts with
 * these types; nothing here is computed.
 *
 * The version is bumped when a field changes meaning or goes away; fields are
 * only ever added otherwise.
 */
import type { FramingReject } from "../gnss/frame.js";
import type { AntennaState, DecodeReject, Dop, FixMode, GnssSystem, ReceiverIdentity, SpoofingState } from "../gnss/report.js";
import type { JammingState } from "../gnss/receiverReports.js";
import type { DeviceStateName } from "../hal/byteSource.js";
import type { AssociationReject, EdgeMode, PpsStateName } from "../timing/secondAssociator.js";
import type { GateReject } from "../timing/timeGate.js";
import type { EdgeOutcome, RecentEdge } from "../timing/recentEdges.js";
import type { SatelliteView } from "../gnss/skyView.js";
import type { UpdatePhase } from "../update/updateStatus.js";

export type {
  AntennaState,
  AssociationReject,
  DecodeReject,
  DeviceStateName,
  Dop,
  EdgeMode,
  EdgeOutcome,
  FixMode,
  FramingReject,
  GateReject,
  GnssSystem,
  JammingState,
  PpsStateName,
  ReceiverIdentity,
  RecentEdge,
  SatelliteView,
  UpdatePhase,
};

export const STATUS_VERSION = 2;

export interface StatusSnapshot {
  version: number;
  updatedAt: string;
  /** What the box is doing, for a person: the panel's label and the verdict stratum1ctl and monitoring read. */
  summary: Summary;
  device: DeviceStatus;
  time: TimeStatus;
  fix: FixStatus;
  /** The satellite table (GSV+GSA or NAV-SAT), at most MAX_SKY_SATELLITES rows; null until the receiver lists any. */
  sky: { updatedAt: string; source: string; satellites: SatelliteView[] } | null;
  /** What the receiver says it is; null when it never says. */
  receiver: (ReceiverIdentity & { source: string }) | null;
  counts: Counts;
  rejected: { framing: Partial<Record<FramingReject, number>>; decode: Partial<Record<DecodeReject, number>>; gate: Partial<Record<GateReject, number>> };
  /** Sentences and messages the box does not read, by name (bounded). */
  unsupported: Record<string, number>;
  /** Where NMEA samples go (chrony SOCK chrony.sock, SHM shm.unit), by sink name. */
  sinks: Record<string, SinkStatus>;
  /** null when no pulse source is configured. */
  pps: PpsStatus | null;
  /** null until the receiver says anything about its antenna. */
  antenna: { state: AntennaState; source: string; since: string | null } | null;
  /** The receiver's interference monitor (u-blox MON-HW/MON-RF); null until it reports one. */
  jamming: JammingStatus | null;
  /** Receiver control: identification, configuration, survey-in; null when the box cannot talk to the receiver. */
  gpsControl: ReceiverControlView | null;
  /** Its spoofing detector (u-blox NAV-STATUS); null from receivers without one. */
  spoofing: { state: SpoofingState; source: string; at: string } | null;
  /** The receiver's health checks: thresholds from stratum1.conf and the GNSS-versus-network comparison. */
  gnssChecks: GnssChecks;
  /** null when chrony is not read. */
  chrony: ChronyStatus | null;
  host: HostStatus | null;
  /** null for a box without display. */
  lcd: LcdStatus | null;
  /** Leap seconds: the receiver's announcement and the leap second list's state. */
  leap: LeapStatus;
  holdover: HoldoverStatus;
  service: ServiceStatus;
  /** The fleet health gate's state (see FleetStatus below); null on a box not in a fleet. */
  fleet: FleetStatus | null;
  /** The update machinery's state (see UpdateInfo below); null where it publishes none (no RAUC, a developer's machine). */
  update: UpdateInfo | null;
  /** Active alarms, most fundamental first. */
  alarms: Alarm[];
}

/** The snapshot before its derived parts: what alarms and the summary are computed from. */
export type SnapshotFacts = Omit<StatusSnapshot, "alarms" | "summary">;

/** The phrase on the panel, from the most fundamental problem to the healthy states. */
export type LabelId = "no-gps-data" | "no-fix" | "waiting-gps" | "utc-wait" | "holdover" | "locked-pps" | "pps-syncing" | "nmea-only" | "syncing";

export type ServingState = "serving" | "degraded";

export interface Summary {
  label: LabelId;
  /** The label as the panel writes it: "LOCKED PPS", "HOLDOVER 3m", "NO FIX", … (at most 12 characters). */
  text: string;
  /** serving: chrony synchronised, on the pulse when one is configured, no alarm; otherwise degraded. */
  state: ServingState;
  /** Why it is not serving, in one sentence; null when it is. */
  reason: string | null;
}

export interface JammingStatus {
  /** The receiver's own verdict on jamming (CW and broadband). */
  state: JammingState;
  /** CW jamming indicator, 0 (none) to 255 (strong). */
  indicator: number;
  source: string;
  /** When the state last changed. */
  since: string | null;
}

export interface DeviceStatus {
  path: string;
  baud: number;
  state: DeviceStateName;
  detail: string;
  since: string | null;
  lastDataAt: string | null;
  lastReportAt: string | null;
}

/** "ok" while samples flow, otherwise the time gate's reason; "waiting" before the first epoch. */
export type TimeStateName = "ok" | GateReject | "no-data" | "waiting";

export interface TimeStatus {
  state: TimeStateName;
  detail: string;
  since: string | null;
  lastUtc: string | null;
  lastSampleAt: string | null;
  lastOffsetS: number | null;
  /** Seconds left of the hold-off on an NMEA receiver's UTC after a cold start (time.utc-holdoff); null when none. */
  utcHoldoffLeftS: number | null;
}

export interface FixStatus {
  mode: FixMode | "unknown";
  satellitesUsed: number | null;
  satellitesSeen: number;
  seenBySystem: Record<string, number>;
  /** The latest DOPs the receiver gave (GSA, NAV-DOP, NAV-PVT); null when it gives none. */
  dop: Dop | null;
  /** Rounded to 1e-4° (about 11 m) and 1 m. null without a fix. */
  position: { latDeg: number; lonDeg: number; altM: number | null } | null;
}

export interface Counts {
  bytes: number;
  nmeaSentences: number;
  ubxFrames: number;
  reports: number;
  epochs: number;
  samples: number;
  /** Epochs of a receiver reporting several times a second, other than its whole-second one: used for health only. */
  subSecondEpochs: number;
  /** Steps of the system clock seen (chrony's makestep, a manual date, a kernel leap second). */
  clockSteps: number;
}

export interface SinkStatus {
  /** ok after a successful delivery; failing while deliveries fail (reason says why). */
  state: "ok" | "not-sent-yet" | "failing";
  /** Why the last delivery failed (ENOENT, ECONNREFUSED, EACCES, …); null when it did not. */
  reason: string | null;
  delivered: number;
  failed: number;
  /** Realtime µs of the last successful delivery. */
  lastDeliveredUs?: number;
}

export interface PpsSourceStatus {
  name: string;
  stamping: "kernel" | "user";
  problem: string | null;
  /** For user-space stamping: RMS deviation of edge intervals from whole seconds. */
  jitterUs: number | null;
}

export interface PpsCounts {
  edges: number;
  labelled: number;
  labelledByCount: number;
  missedEdges: number;
  spuriousEdges: number;
}

export interface CrossCheckStatus {
  paired: number;
  kernelOnly: number;
  gpioOnly: number;
  /** GPIO stamp minus kernel stamp over the last 64 pairs, µs: mean and standard deviation. */
  gpioLateMeanUs: number | null;
  gpioLateJitterUs: number | null;
  agree: boolean;
}

export interface PpsEdgeStatus {
  direction: "after" | "before";
  /**
   * configured: pps.edge says so. With auto: assumed "after" (no verified
   * clock to check against yet), verified against chrony's network time,
   * remembered from an earlier check of this receiver, or contradicted by a
   * verified clock (labelling stopped: set pps.edge).
   */
  basis: "configured" | "assumed" | "verified" | "remembered" | "contradicted";
}

export interface PpsStatus {
  state: PpsStateName;
  detail: string;
  since: string | null;
  edgeMode: EdgeMode;
  sources: PpsSourceStatus[];
  /** Which pulse the receiver's time names, and on what grounds (pps.edge; with auto: assumed, verified, remembered or contradicted). */
  edge: PpsEdgeStatus;
  /**
   * TIM-TP's quantisation error applied to the pulses (u-blox): how many,
   * and the spread of the edges' offsets within their second over the last
   * `window`, before and after the correction, ns; null when none applied.
   */
  qErr: { applied: number; window: number; spreadBeforeNs: number; spreadAfterNs: number } | null;
  /** Why pulses are refused while they are not labelled (the association's last reason); null when locked. */
  refusing: AssociationReject | null;
  /** Learned delay between pulse and the receiver's time. */
  delayMs: number | null;
  delayJitterMs: number | null;
  counts: PpsCounts;
  refused: Partial<Record<AssociationReject, number>>;
  lastUtc: string | null;
  /** The stamp of the last labelled edge. */
  lastEdgeAt: string | null;
  /** The stamp of the last edge of any kind: how long the pulse itself has been gone. */
  lastPulseAt: string | null;
  lastOffsetS: number | null;
  crossCheck: CrossCheckStatus | null;
  /** The last RECENT_EDGES edges of the labelled source, oldest first: stamp, label or refusal, delay to the words. */
  recentEdges: RecentEdge[];
  /** Where labelled pulses go (chrony SOCK pps.sock, SHM pps.shm), by sink name. */
  sinks: Record<string, SinkStatus>;
}

export type ChronyLeap = "normal" | "insert" | "delete" | "unsynchronised";

export interface ChronyTracking {
  refId: string;
  /** The source's name; for a refclock its refid ("PPS", "NMEA"). */
  refName: string;
  stratum: number;
  /** The local clock's offset from true time now, seconds (+: local ahead). */
  systemOffsetS: number;
  /** Offset measured at the last clock update, seconds. */
  lastOffsetS: number;
  rmsOffsetS: number;
  frequencyPpm: number;
  skewPpm: number;
  rootDelayS: number;
  rootDispersionS: number;
  leap: ChronyLeap;
}

export interface ChronySource {
  mode: string;
  state: string;
  name: string;
  stratum: number;
  poll: number;
  /** The reach register as a number (chronyc prints it in octal). */
  reach: number;
  lastRxAgoS: number | null;
  /** Last sample's offset after chrony's later clock corrections, seconds; + means the local clock is ahead. */
  lastOffsetS: number;
  /** The same sample as measured, before corrections (the bracketed figure in `chronyc sources`). */
  measuredOffsetS: number;
  errorS: number;
}

export interface ChronyStatus {
  reachable: boolean;
  /** Why the last poll failed, with the fix; null while polls succeed. */
  error: string | null;
  updatedAt: string | null;
  tracking: ChronyTracking | null;
  /** The source chrony has selected ('*'), if any. */
  selected: ChronySource | null;
  sources: ChronySource[];
  ntp: {
    received: number;
    dropped: number;
    /** NTP requests per second over the last poll interval; null until two polls. */
    perSecond: number | null;
    /** Clients that sent a request in the last hour; null until the client list was read. */
    clients: number | null;
  } | null;
  /** Why ntp is null while chrony answers: chronyd gives those figures only on its control socket (chrony.control). */
  ntpUnavailable: string | null;
}

export interface GnssChecks {
  /** gps.jamming-level: CW jamming indicator at which the box raises an alarm; null: only the receiver's own 'critical'. */
  jammingLevel: number | null;
  /** gps.spoofing-alarm. */
  spoofingAlarm: boolean;
  /** gps.network-limit, ms; null: no cross-check. */
  networkLimitMs: number | null;
  /**
   * The labelled pulse against chrony's network servers: the median of their
   * offsets minus the pulse's, ms, and how many servers; null unless chrony
   * has a recent pulse sample and at least two reachable servers.
   */
  network: { pulseMinusNetworkMs: number; servers: number; errorMs: number } | null;
}

/** Receiver control (src/gnss/control/): what it found, what it set, what the receiver refused. */
export interface ReceiverControlView {
  /** identifying, finding-baud, no-receiver, changing-baud, configuring, verifying, surveying, ready, listening, silent, stopped. */
  state: string;
  detail: string;
  since: string;
  /** "u-blox NEO-M8T (protocol 22.00, firmware TIM 1.10)", "MediaTek MT3339", "NMEA receiver"; null until identified. */
  receiver: string | null;
  /** The rate the port runs at now. */
  baud: number;
  /** gps.configure: false when the box only identifies and listens. */
  configure: boolean;
  /** The last configuration sent: when, how many settings acknowledged, each one refused or unanswered, and notes. */
  configuration: { at: string; acknowledged: number; problems: Array<{ step: string; outcome: string; detail: string }>; notes: string[] } | null;
  /** A survey-in under way: time and accuracy reached, and what gps.survey-time and gps.survey-accuracy want. */
  survey: { durationS: number; accuracyM: number; wantedS: number; wantedM: number } | null;
  /** The fixed position a timing receiver holds: surveyed now, or saved from an earlier survey (state.dir). */
  position: { source: "saved" | "surveyed"; accuracyM: number } | null;
  counts: Record<string, number>;
}

/** chrony serving from the Pi's own clock: on this box's refclocks, but with no sample for a while. */
export interface HoldoverStatus {
  active: boolean;
  /** When the last sample reached chrony; null when not holding over. */
  since: string | null;
  ageS: number | null;
  /** chrony's bound on its error, as clients are told it (root delay / 2 + root dispersion), s. */
  boundS: number | null;
  /** holdover.trust as chrony counts it (a power of two), s; null when off. */
  limitS: number | null;
  /** Seconds until chrony declares itself unsynchronised; null when off or not armed. */
  leftS: number | null;
  /** Whether chrony had armed the limit (synchronised for twice as long before the holdover); null when off. */
  armed: boolean | null;
  /** When chrony gave up at the end of the last holdover (went unsynchronised); null otherwise. */
  expiredAt: string | null;
}

export interface LeapStatus {
  /**
   * The leap second ahead: at the end of `day` (UTC, YYYY-MM-DD), as the receiver announces it (`by` receiver, `source` the
   * constellation) or, within the month, as the leap second list has it; null when none.
   */
  pending: { kind: "insert" | "delete"; day: string; by: "receiver" | "list"; source: string } | null;
  /** GPS − UTC as the receiver counts it (UBX NAV-TIMELS); null until it says. */
  receiverGpsMinusUtcS: number | null;
  /** The leap second list (time.leap-list); null when off. */
  list: { path: string; expires: string | null; expired: boolean; problem: string | null; disagreement: string | null } | null;
}

export interface HostStatus {
  /** IPv4 address of the default-route interface, else its IPv6 one; null when unplugged. */
  address: string | null;
  iface: string | null;
  cpuTempC: number | null;
  uptimeS: number;
}

export interface LcdStatus {
  state: "starting" | "ok" | "absent";
  /** Why it is absent, with the fix; the address in use when ok. */
  detail: string;
  bus: string;
  address: string | null;
  size: string;
  /** What is on the glass: "time", "gps", "alarm:no-fix", … */
  view: string | null;
  backlight: boolean;
  /** I2C bytes and write transactions per second, averaged over the last minute. */
  bytesPerSecond: number;
  writesPerSecond: number;
  bytes: number;
  writes: number;
  /** Controller initialisations: 1 at start, one more per recovery. */
  inits: number;
  /** Draws that failed on the bus (no acknowledge, adapter gone), the retries during an outage included. */
  busErrors: number;
}

export interface ServiceStatus {
  startedAt: string;
  statusWriteError: string | null;
  /** Exceptions caught in the service's own code, by where they happened (the serial data, the tick, …); logged once per new message. */
  faults: Record<string, Fault>;
  /** control.socket (stratum1ctl gps config): requests answered and refused; null when it is off. */
  control: ControlSocketStatus | null;
}

export interface ControlSocketStatus {
  served: number;
  /** Requests answered with an error before reaching the receiver: not JSON, unknown, too long, none sent in time. */
  refused: number;
  lastRefusal: string | null;
}

export interface Fault {
  count: number;
  lastAt: string;
  message: string;
}

export type AlarmId =
  | "no-gps-data"
  | "antenna-short"
  | "antenna-open"
  | "no-fix"
  | "receiver-date"
  | "no-pps"
  | "pps-edge"
  | "chrony-unreachable"
  | "chrony-unsynchronised"
  | "degraded"
  | "leap-pending"
  | "leap-list"
  | "gps-config"
  | "jamming"
  | "spoofing"
  | "gnss-disagrees"
  // The fleet gate and the updater (see below).
  | "fleet"
  | "update-rolled-back";

export interface AlarmCondition {
  id: AlarmId;
  /** At most 11 characters: shown after the warning glyph, a space and "1/3". */
  title: string;
  /** At most 16 characters: the first thing to check. */
  hint: string;
  detail: string;
}

export interface Alarm extends AlarmCondition {
  since: string;
}

// ── Other programs of the box, as stratum1d shows them: the fleet gate
// (stratum1-fleetd, fleet.status) and the update machinery
// (/run/stratum1-update/status.json). Each writes its own state file;
// stratum1d reads them (status/neighbours.ts) so that the panel, the status,
// stratum1ctl and the metrics show them beside the time. ──

/** healthy: the service addresses announced; degraded: announced with the longer AS path; bad: withdrawn. */
export type FleetHealth = "healthy" | "degraded" | "bad";

export interface FleetStatus {
  state: FleetHealth;
  /** Why: the gate's last transition, or why it is not running. */
  reason: string;
  /** Since when the gate is in that state; null when it is not running. */
  since: string | null;
  /** When the gate last wrote its state; null when it has not (not running). */
  updatedAt: string | null;
  /** Seconds before a withdrawn node may announce again; null when none. */
  holdDownLeftS: number | null;
}

export interface UpdateInfo {
  /** This system's build, and the root slot it booted from (null: not an A/B system). */
  version: string;
  slot: string | null;
  phase: UpdatePhase;
  /** While phase is "installing": RAUC's progress. */
  install: { percent: number; step: string } | null;
  /** The last rollback while it is not acknowledged (stratum1ctl update acknowledge); null otherwise. */
  rollback: { version: string; slot: string; at: string; reason: string } | null;
}
