/*
 * Every value of the status contract's typed unions, as lists the metrics
 * can walk: a state is exported as one series per possible state (1 for the
 * current one, 0 for the others), and a counter by reason starts every
 * reason at 0, so that Prometheus sees a series change rather than appear
 * (rate() and alerts need the 0 before the first increment).
 *
 * The unions stay where the decisions are made; these lists are checked
 * against them by the compiler: a reason added to a union and not here
 * fails the build, naming the one missing.
 */
import type {
  AlarmId,
  AntennaState,
  AssociationReject,
  ChronyLeap,
  DecodeReject,
  DeviceStateName,
  FixMode,
  FleetHealth,
  FramingReject,
  GateReject,
  GnssSystem,
  JammingState,
  LabelId,
  LcdStatus,
  PpsStateName,
  SinkStatus,
  TimeStateName,
  UpdatePhase,
} from "../status/contract.js";

type Exhaustive<U extends string, L extends readonly U[]> = [Exclude<U, L[number]>] extends [never] ? L : { missing: Exclude<U, L[number]> };

/** `list`, typed as every member of U; the build fails when one is missing. */
const everyMember =
  <U extends string>() =>
  <const L extends readonly U[]>(list: L & Exhaustive<U, L>): readonly U[] =>
    list;

export const GATE_REJECTS = everyMember<GateReject>()([
  "no-date",
  "receiver-invalid",
  "no-fix",
  "leap-second",
  "gps-week-rollover",
  "date-before-floor",
  "date-beyond-horizon",
  "duplicate-second",
  "time-jump",
  "stalled-read",
  "settling",
  "utc-unconfirmed",
  "utc-holdoff",
]);

export const TIME_STATES = everyMember<TimeStateName>()(["ok", "waiting", "no-data", ...GATE_REJECTS] as const);

export const PPS_STATES = everyMember<PpsStateName>()(["no-pulse", "pulse-without-time", "locked", "holdover"]);

export const ASSOCIATION_REJECTS = everyMember<AssociationReject>()([
  "settling",
  "contradiction",
  "ambiguous-delay",
  "no-edge",
  "time-refused",
  "time-precedes-pulse",
  "spurious-edge",
  "holdover-expired",
  "holdover-midnight",
]);

export const FRAMING_REJECTS = everyMember<FramingReject>()(["garbage-bytes", "line-too-long", "line-truncated", "line-binary", "ubx-bad-checksum", "ubx-bad-length"]);

/** unsupported-sentence is counted by name in `unsupported`, not as a decode error. */
export const DECODE_REJECTS = everyMember<Exclude<DecodeReject, "unsupported-sentence">>()([
  "bad-checksum",
  "missing-checksum",
  "malformed-sentence",
  "bad-time-field",
  "bad-date-field",
  "ubx-bad-payload",
]);

export const FIX_MODES = everyMember<FixMode | "unknown">()(["unknown", "none", "dead-reckoning", "2d", "3d", "time-only"]);

export const ANTENNA_STATES = everyMember<AntennaState>()(["ok", "open", "short", "unknown"]);

export const JAMMING_STATES = everyMember<JammingState>()(["ok", "warning", "critical", "unknown"]);

export const ALARM_IDS = everyMember<AlarmId>()([
  "no-gps-data",
  "antenna-short",
  "antenna-open",
  "no-fix",
  "receiver-date",
  "no-pps",
  "chrony-unreachable",
  "chrony-unsynchronised",
  "degraded",
  "leap-pending",
  "pps-edge",
  "leap-list",
  "gps-config",
  "jamming",
  "spoofing",
  "gnss-disagrees",
  "fleet",
  "update-rolled-back",
]);

export const LABELS = everyMember<LabelId>()(["no-gps-data", "no-fix", "waiting-gps", "holdover", "locked-pps", "pps-syncing", "nmea-only", "syncing", "utc-wait"]);

export const CHRONY_LEAPS = everyMember<ChronyLeap>()(["normal", "insert", "delete", "unsynchronised"]);

export const DEVICE_STATES = everyMember<DeviceStateName>()(["opening", "open", "missing", "error", "closed"]);

export const LCD_STATES = everyMember<LcdStatus["state"]>()(["starting", "ok", "absent"]);

export const SINK_STATES = everyMember<SinkStatus["state"]>()(["ok", "not-sent-yet", "failing"]);

/** Constellations always exported (0 when none is in view), so a panel shows a system going to zero rather than vanishing. */
export const GNSS_SYSTEMS = everyMember<Exclude<GnssSystem, "unknown">>()(["GPS", "GLONASS", "Galileo", "BeiDou", "QZSS", "SBAS", "NavIC"]);

export const FLEET_STATES = everyMember<FleetHealth>()(["healthy", "degraded", "bad"]);

export const UPDATE_PHASES = everyMember<UpdatePhase>()(["committed", "trial-armed", "trial", "installing"]);
