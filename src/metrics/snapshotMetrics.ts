/*
 * The status snapshot as Prometheus metrics: one table, each metric's name,
 * type, help and how its samples are read from the snapshot. Nothing here
 * reaches into the service: what the panel, stratum1ctl and systemd read is
 * what Prometheus reads, so the three cannot disagree.
 *
 * Conventions (https://prometheus.io/docs/practices/naming/): the stratum1_
 * prefix; base units in the name (seconds, bytes, celsius); counters end in
 * _total and are the snapshot's own running counts (they restart at 0 with
 * the service or with chronyd, which rate() expects); a state is one series
 * per possible state, 1 for the current one (a "state set"), so a timeline
 * panel and an alert need no regular expressions; reasons are a label, every
 * known reason present from the start at 0; identity is an _info metric
 * whose value is 1. A part that is absent (no pulse configured, chrony not
 * read, a receiver that never reports its antenna) has no series, rather
 * than a made-up 0.
 */
import { systemOfTalker } from "../gnss/sky.js";
import type { SinkStatus, StatusSnapshot } from "../status/contract.js";
import {
  ALARM_IDS,
  ANTENNA_STATES,
  ASSOCIATION_REJECTS,
  CHRONY_LEAPS,
  DECODE_REJECTS,
  DEVICE_STATES,
  FIX_MODES,
  FLEET_STATES,
  FRAMING_REJECTS,
  GATE_REJECTS,
  GNSS_SYSTEMS,
  JAMMING_STATES,
  LABELS,
  LCD_STATES,
  PPS_STATES,
  SINK_STATES,
  TIME_STATES,
  UPDATE_PHASES,
} from "./vocabulary.js";

export type Labels = Readonly<Record<string, string>>;
export type Sample = readonly [labels: Labels, value: number];

/** One metric family and how its samples are read from T (the snapshot, or the process's own figures). */
export interface MetricFamily<T> {
  name: string;
  type: "gauge" | "counter";
  help: string;
  labels: readonly string[];
  /** The samples now; none when the part is absent. */
  read(from: T): readonly Sample[];
}

export type MetricSpec = MetricFamily<StatusSnapshot>;

const NO_LABELS: Labels = {};

const one = (v: number | null | undefined): readonly Sample[] => (v === null || v === undefined || !Number.isFinite(v) ? [] : [[NO_LABELS, v]]);

/** 1 for the current state, 0 for every other one; nothing when the part is absent. */
const stateSet = (label: string, all: readonly string[], current: string | null | undefined): readonly Sample[] =>
  current === null || current === undefined ? [] : [...new Set([...all, current])].map((v): Sample => [{ [label]: v }, v === current ? 1 : 0]);

/** A count per reason: every known reason, 0 until it happens, and any other the snapshot holds. */
const byReason = (label: string, all: readonly string[], counts: Partial<Record<string, number>> | null | undefined): readonly Sample[] =>
  counts === null || counts === undefined ? [] : [...new Set([...all, ...Object.keys(counts)])].map((r): Sample => [{ [label]: r }, counts[r] ?? 0]);

const seconds = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) / 1000 : null);

const gauge = (name: string, help: string, labels: readonly string[], read: MetricSpec["read"]): MetricSpec => ({ name, type: "gauge", help, labels, read });
const counter = (name: string, help: string, labels: readonly string[], read: MetricSpec["read"]): MetricSpec => ({ name, type: "counter", help, labels, read });

/** GSV counts are keyed by NMEA talker (GP, GL), NAV-SAT's by system name: one name for each constellation. */
function bySystemName(seen: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(seen)) {
    const name = systemOfTalker(key) ?? key;
    out[name] = (out[name] ?? 0) + n;
  }
  return out;
}

const sinksOf = (s: StatusSnapshot): Array<[stream: string, sink: string, SinkStatus]> => [
  ...Object.entries(s.sinks).map(([name, st]): [string, string, SinkStatus] => ["nmea", name, st]),
  ...Object.entries(s.pps?.sinks ?? {}).map(([name, st]): [string, string, SinkStatus] => ["pps", name, st]),
];

export const SNAPSHOT_METRICS: readonly MetricSpec[] = [
  // ── the verdict ──
  gauge("stratum1_serving", "1 when the box serves good time (chrony synchronised, on the pulse when one is configured, no alarm), 0 when degraded: stratum1ctl status's exit code 0.", [], (s) =>
    one(s.summary.state === "serving" ? 1 : 0),
  ),
  gauge("stratum1_status_label", "The label the front panel shows (locked-pps, holdover, no-fix, ...): 1 for the current one.", ["label"], (s) => stateSet("label", LABELS, s.summary.label)),
  gauge("stratum1_alarm_active", "1 while the alarm is raised (it held for 3 s), by alarm.", ["alarm"], (s) =>
    ALARM_IDS.map((id): Sample => [{ alarm: id }, s.alarms.some((a) => a.id === id) ? 1 : 0]),
  ),
  gauge("stratum1_start_time_seconds", "When the service started, Unix time.", [], (s) => one(seconds(s.service.startedAt))),
  counter("stratum1_faults_total", "Exceptions caught in the service's own code, by where (see the log).", ["where"], (s) =>
    Object.entries(s.service.faults).map(([where, f]): Sample => [{ where }, f.count]),
  ),

  // ── the receiver's serial line and what it says ──
  gauge("stratum1_serial_state", "The receiver's serial device: 1 for its current state.", ["state"], (s) => stateSet("state", DEVICE_STATES, s.device.state)),
  counter("stratum1_serial_bytes_total", "Bytes read from the receiver's serial line.", [], (s) => one(s.counts.bytes)),
  counter("stratum1_serial_framing_drops_total", "Runs of bytes dropped before they formed a sentence or frame, by reason (garbage-bytes at a wrong baud rate, ...).", ["reason"], (s) =>
    byReason("reason", FRAMING_REJECTS, s.rejected.framing),
  ),
  counter("stratum1_receiver_messages_total", "NMEA sentences and UBX frames received, by protocol.", ["protocol"], (s) => [
    [{ protocol: "nmea" }, s.counts.nmeaSentences],
    [{ protocol: "ubx" }, s.counts.ubxFrames],
  ]),
  counter("stratum1_receiver_decode_errors_total", "Sentences and frames that did not decode, by reason.", ["reason"], (s) => byReason("reason", DECODE_REJECTS, s.rejected.decode)),
  counter("stratum1_receiver_epochs_total", "Epochs (one report of the receiver's time and fix) assembled.", [], (s) => one(s.counts.epochs)),
  gauge("stratum1_receiver_last_report_timestamp_seconds", "When the receiver last sent something that decoded, Unix time.", [], (s) => one(seconds(s.device.lastReportAt))),
  gauge("stratum1_receiver_info", "What the receiver says it is (start-up text, MON-VER, PMTK705); absent until it says.", ["vendor", "model", "firmware", "hardware", "protocol", "source"], (s) =>
    s.receiver
      ? [
          [
            {
              vendor: s.receiver.vendor ?? "",
              model: s.receiver.model ?? "",
              firmware: s.receiver.firmware ?? "",
              hardware: s.receiver.hardware ?? "",
              protocol: s.receiver.protocol ?? "",
              source: s.receiver.source,
            },
            1,
          ],
        ]
      : [],
  ),

  // ── fix, sky, antenna ──
  gauge("stratum1_gnss_fix_mode", "The receiver's fix: 1 for the current mode.", ["mode"], (s) => stateSet("mode", FIX_MODES, s.fix.mode)),
  gauge("stratum1_gnss_satellites_used", "Satellites used in the fix.", [], (s) => one(s.fix.satellitesUsed)),
  gauge("stratum1_gnss_satellites_visible", "Satellites in view, by constellation.", ["system"], (s) => {
    const seen = bySystemName(s.fix.seenBySystem);
    return [...new Set([...GNSS_SYSTEMS, ...Object.keys(seen)])].map((system): Sample => [{ system }, seen[system] ?? 0]);
  }),
  gauge("stratum1_gnss_satellites_used_by_system", "Satellites used in the fix, by constellation, from the receiver's satellite table (GSV+GSA or NAV-SAT).", ["system"], (s) =>
    s.sky ? [...new Set([...GNSS_SYSTEMS, ...s.sky.satellites.map((x) => x.system)])].map((system): Sample => [{ system }, s.sky!.satellites.filter((x) => x.system === system && x.used).length]) : [],
  ),
  gauge("stratum1_gnss_dilution_of_precision", "The receiver's dilution of precision, by type (pdop, hdop, vdop, tdop, gdop).", ["type"], (s) =>
    Object.entries(s.fix.dop ?? {})
      .filter((e): e is [string, number] => typeof e[1] === "number")
      .map(([type, v]): Sample => [{ type }, v]),
  ),
  gauge("stratum1_gnss_antenna_state", "The antenna supply as the receiver reports it: 1 for the current state; absent when the receiver does not report it.", ["state"], (s) =>
    stateSet("state", ANTENNA_STATES, s.antenna?.state),
  ),
  gauge("stratum1_gnss_jamming_state", "The receiver's jamming monitor (u-blox MON-HW/MON-RF): 1 for the current state; absent when the receiver has none.", ["state"], (s) =>
    stateSet("state", JAMMING_STATES, s.jamming?.state),
  ),
  gauge("stratum1_gnss_jamming_indicator", "The receiver's CW jamming indicator, 0 (none) to 255 (strong).", [], (s) => one(s.jamming?.indicator)),

  // ── the receiver's time (the NMEA time core) ──
  gauge("stratum1_time_state", "The receiver's time as the time gate judges it: ok while samples flow, else the reason it is refused; 1 for the current state.", ["state"], (s) =>
    stateSet("state", TIME_STATES, s.time.state),
  ),
  counter("stratum1_time_refused_total", "Epochs whose time was refused, by reason.", ["reason"], (s) => byReason("reason", GATE_REJECTS, s.rejected.gate)),
  counter("stratum1_time_samples_total", "Samples of the receiver's time made (each goes to every NMEA sink).", [], (s) => one(s.counts.samples)),
  gauge("stratum1_time_offset_seconds", "The last NMEA sample's offset: the receiver's time minus the system clock at its arrival (includes the sentence's delay).", [], (s) =>
    one(s.time.lastOffsetS),
  ),

  // ── the pulse ──
  gauge("stratum1_pps_state", "The pulse: 1 for the current state (locked: every pulse labelled with its second).", ["state"], (s) => stateSet("state", PPS_STATES, s.pps?.state)),
  counter("stratum1_pps_edges_total", "Pulse edges seen on the labelled source.", [], (s) => one(s.pps?.counts.edges)),
  counter("stratum1_pps_labelled_total", "Pulses labelled with their UTC second, by how: from the receiver's time, or by count in holdover.", ["by"], (s) =>
    s.pps
      ? [
          [{ by: "time" }, s.pps.counts.labelled],
          [{ by: "count" }, s.pps.counts.labelledByCount],
        ]
      : [],
  ),
  counter("stratum1_pps_refused_total", "Pulses not labelled, by reason.", ["reason"], (s) => (s.pps ? byReason("reason", ASSOCIATION_REJECTS, s.pps.refused) : [])),
  counter("stratum1_pps_missed_edges_total", "Edges the kernel counted but the service never saw (its sequence numbers jumped).", [], (s) => one(s.pps?.counts.missedEdges)),
  counter("stratum1_pps_spurious_edges_total", "Edges too close to the previous one to be a second's pulse.", [], (s) => one(s.pps?.counts.spuriousEdges)),
  gauge("stratum1_pps_delay_seconds", "The learned delay from the pulse to the receiver's words about it.", [], (s) => one(s.pps?.delayMs === null || s.pps === null ? null : s.pps.delayMs / 1000)),
  gauge("stratum1_pps_delay_jitter_seconds", "The learned delay's jitter (standard deviation).", [], (s) => one(s.pps?.delayJitterMs === null || s.pps === null ? null : s.pps.delayJitterMs / 1000)),
  gauge("stratum1_pps_offset_seconds", "The last labelled pulse's offset: its second minus the system clock's stamp of the edge.", [], (s) => one(s.pps?.lastOffsetS)),
  gauge("stratum1_pps_last_pulse_timestamp_seconds", "When the last pulse edge of any kind was seen, Unix time.", [], (s) => one(seconds(s.pps?.lastPulseAt))),

  // ── where samples go ──
  counter("stratum1_samples_delivered_total", "Samples handed to a refclock sink (chrony SOCK, SHM), by stream (nmea, pps) and sink.", ["stream", "sink"], (s) =>
    sinksOf(s).map(([stream, sink, st]): Sample => [{ stream, sink }, st.delivered]),
  ),
  counter("stratum1_samples_failed_total", "Samples a refclock sink could not deliver, by stream and sink.", ["stream", "sink"], (s) =>
    sinksOf(s).map(([stream, sink, st]): Sample => [{ stream, sink }, st.failed]),
  ),
  gauge("stratum1_sink_state", "A refclock sink: 1 for its current state (failing: deliveries fail, see the log).", ["stream", "sink", "state"], (s) =>
    sinksOf(s).flatMap(([stream, sink, st]) => SINK_STATES.map((state): Sample => [{ stream, sink, state }, st.state === state ? 1 : 0])),
  ),

  // ── chrony ──
  gauge("stratum1_chrony_up", "1 while chronyd answers the service's monitoring requests.", [], (s) => one(s.chrony ? (s.chrony.reachable ? 1 : 0) : null)),
  gauge("stratum1_chrony_system_offset_seconds", "chronyd's estimate of the system clock's offset from true time now (+: the clock is ahead).", [], (s) => one(s.chrony?.tracking?.systemOffsetS)),
  gauge("stratum1_chrony_last_offset_seconds", "The offset chronyd measured at its last clock update.", [], (s) => one(s.chrony?.tracking?.lastOffsetS)),
  gauge("stratum1_chrony_rms_offset_seconds", "chronyd's long-term average of the offset (RMS).", [], (s) => one(s.chrony?.tracking?.rmsOffsetS)),
  gauge("stratum1_chrony_frequency_ppm", "The system clock's frequency error as chronyd corrects it, parts per million (chronyc tracking's Frequency).", [], (s) =>
    one(s.chrony?.tracking?.frequencyPpm),
  ),
  gauge("stratum1_chrony_skew_ppm", "The error bound of that frequency, parts per million.", [], (s) => one(s.chrony?.tracking?.skewPpm)),
  gauge("stratum1_chrony_root_delay_seconds", "Total network delay to the stratum-0 reference (0 on the pulse).", [], (s) => one(s.chrony?.tracking?.rootDelayS)),
  gauge("stratum1_chrony_root_dispersion_seconds", "Total dispersion to the stratum-0 reference: the error bound clients inherit.", [], (s) => one(s.chrony?.tracking?.rootDispersionS)),
  gauge("stratum1_chrony_stratum", "The stratum chronyd serves (1 on the GPS; 16 unsynchronised).", [], (s) => one(s.chrony?.tracking?.stratum)),
  gauge("stratum1_chrony_leap_status", "chronyd's leap status: 1 for the current one (unsynchronised: clients get no time).", ["status"], (s) =>
    stateSet("status", CHRONY_LEAPS, s.chrony?.tracking?.leap),
  ),
  gauge("stratum1_chrony_reference_info", "The reference chronyd is synchronised to (PPS, NMEA, a server).", ["ref_id", "ref_name"], (s) =>
    s.chrony?.tracking ? [[{ ref_id: s.chrony.tracking.refId, ref_name: s.chrony.tracking.refName }, 1]] : [],
  ),
  gauge("stratum1_chrony_source_offset_seconds", "Each source's last sample offset as chronyd sees it (+: the local clock is ahead), by source.", ["source"], (s) =>
    (s.chrony?.sources ?? []).map((x): Sample => [{ source: x.name }, x.lastOffsetS]),
  ),
  gauge("stratum1_chrony_source_error_seconds", "The error bound of each source's last sample, by source.", ["source"], (s) =>
    (s.chrony?.sources ?? []).map((x): Sample => [{ source: x.name }, x.errorS]),
  ),
  gauge("stratum1_chrony_source_selected", "1 for the source chronyd has selected, 0 for the others.", ["source"], (s) =>
    (s.chrony?.sources ?? []).map((x): Sample => [{ source: x.name }, x.name === s.chrony?.selected?.name ? 1 : 0]),
  ),
  counter("stratum1_chrony_ntp_requests_total", "NTP requests chronyd received (serverstats; needs chrony.control).", [], (s) => one(s.chrony?.ntp?.received)),
  counter("stratum1_chrony_ntp_requests_dropped_total", "NTP requests chronyd dropped, rate limiting included (serverstats; needs chrony.control).", [], (s) => one(s.chrony?.ntp?.dropped)),
  gauge("stratum1_chrony_ntp_clients", "Clients that sent a request in the last hour (needs chrony.control).", [], (s) => one(s.chrony?.ntp?.clients)),

  // ── the front panel and the host ──
  gauge("stratum1_lcd_state", "The front panel: 1 for its current state (absent: no display answers, see the log).", ["state"], (s) => stateSet("state", LCD_STATES, s.lcd?.state)),
  counter("stratum1_lcd_bus_errors_total", "Draws on the LCD that failed on the I2C bus, the retries during an outage included.", [], (s) => one(s.lcd?.busErrors)),
  counter("stratum1_lcd_bus_bytes_total", "Bytes written to the LCD's I2C backpack.", [], (s) => one(s.lcd?.bytes)),
  counter("stratum1_lcd_inits_total", "LCD controller initialisations: 1 at start, one more per recovery.", [], (s) => one(s.lcd?.inits)),
  gauge("stratum1_host_cpu_temperature_celsius", "The host's CPU temperature.", [], (s) => one(s.host?.cpuTempC)),

  // ── the fleet gate and updates (their own programs' state, as stratum1d shows it) ──
  gauge(
    "stratum1_fleet_gate_state",
    "The fleet health gate: 1 for its current state (healthy: announced; degraded: announced with the longer AS path; bad: withdrawn or the gate not running); absent on a box not in a fleet.",
    ["state"],
    (s) => stateSet("state", FLEET_STATES, s.fleet?.state),
  ),
  gauge("stratum1_fleet_gate_state_since_timestamp_seconds", "When the fleet gate entered its current state, Unix time.", [], (s) => one(seconds(s.fleet?.since))),
  gauge("stratum1_build_info", "The running system's build and the root slot it booted from (A/B updates); absent without the updater's status.", ["version", "slot"], (s) =>
    s.update ? [[{ version: s.update.version, slot: s.update.slot ?? "" }, 1]] : [],
  ),
  gauge("stratum1_update_phase", "The update machinery: 1 for its current phase (installing, trial-armed, trial, committed).", ["phase"], (s) => stateSet("phase", UPDATE_PHASES, s.update?.phase)),
  gauge("stratum1_update_install_progress_ratio", "How far an installation is, 0 to 1; absent while none runs.", [], (s) => one(s.update?.install ? s.update.install.percent / 100 : null)),
];
