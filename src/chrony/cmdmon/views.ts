/*
 * chronyd's reports as `chronyc -n -c` shows them, in the types the monitor
 * already reads from chronyc's CSV (../chronycCsv.ts), so swapping chronyc
 * for this client changes none of their consumers. The naming rules are
 * chronyc's format_name(): a refclock is named by its refid ("PPS"), an NTP
 * source by its address (never a DNS name: chronyc -n, and no resolver on
 * the event loop).
 *
 * Where the wire carries more than the CSV types hold (tracking's reference
 * time, the client list), the extra fields are added beside them.
 */
import type { Instant } from "../../hal/instant.js";
import type { ChronyLeap, ChronySource, ChronyTracking } from "../../status/contract.js";
import type { ClientAccessReport } from "./clientAccesses.js";
import type { ServerStatsReport } from "./serverStats.js";
import { NO_SAMPLE, SOURCE_MODE, type SourceReport } from "./sources.js";
import type { SourceStatsReport } from "./sourceStats.js";
import type { TrackingReport } from "./tracking.js";
import { ipv4FromString, refidToHex, refidToString, type IpAddr } from "./wire.js";

/** One row of `chronyc sourcestats`. */
export interface ChronySourceStats {
  name: string;
  samples: number;
  runs: number;
  spanS: number;
  frequencyPpm: number;
  freqSkewPpm: number;
  offsetS: number;
  stdDevS: number;
}

/** `chronyc serverstats`: the NTP and command requests chronyd received and dropped. */
export interface ChronyServerStats {
  ntpReceived: number;
  ntpDropped: number;
  commandReceived: number;
  commandDropped: number;
}

export interface CmdmonTracking extends ChronyTracking {
  /** When chrony last updated the clock ("Ref time"); 0 before the first update. */
  refTime: Instant;
  residualFrequencyPpm: number;
  updateIntervalS: number;
}

export interface CmdmonServerStats extends ChronyServerStats {
  logRecordsDropped: number;
  ntsKeAccepted: number;
  ntsKeDropped: number;
  authenticatedNtp: number;
  interleavedNtp: number;
}

/** One row of `chronyc clients`, with the NTS-KE columns of `clients -k` beside it. */
export interface ChronyClientRecord {
  address: string;
  ntpHits: number;
  ntpDrops: number;
  /** log2 of the mean interval between NTP requests, s (chronyc's "Int"); null when too few. */
  ntpIntervalLog2: number | null;
  /** Seconds since the last NTP request; null if it never sent one. */
  lastNtpAgoS: number | null;
  cmdHits: number;
  cmdDrops: number;
  lastCmdAgoS: number | null;
  ntsKeHits: number;
  ntsKeDrops: number;
  lastNtsKeAgoS: number | null;
}

const LEAP: readonly ChronyLeap[] = ["normal", "insert", "delete", "unsynchronised"];
const MODE_CHAR = ["^", "=", "#"];
const STATE_CHAR = ["*", "?", "x", "~", "+", "-"];
/** chronyd's "no rate measured yet" (INVALID_RATE's interval). */
const NO_INTERVAL = 127;

/** UTI_IPToString: how chronyc -n writes an address. */
export function ipToString(ip: IpAddr): string {
  switch (ip.family) {
    case "inet4":
    case "inet6":
      return ip.address;
    case "id":
      return `ID#${String(ip.id).padStart(10, "0")}`;
    default:
      return "[UNSPEC]";
  }
}

const ago = (s: number): number | null => (s === NO_SAMPLE ? null : s);

export function trackingView(r: TrackingReport): CmdmonTracking {
  return {
    refId: refidToHex(r.refId),
    // A refclock (or no reference) has no address: chronyc names it by its refid.
    refName: r.address.family === "unspec" ? refidToString(r.refId) : ipToString(r.address),
    stratum: r.stratum,
    // current_correction is what the clock still needs (+: local slow); the field is the local clock's offset (+: ahead).
    systemOffsetS: -r.currentCorrectionS,
    lastOffsetS: r.lastOffsetS,
    rmsOffsetS: r.rmsOffsetS,
    frequencyPpm: r.freqPpm,
    skewPpm: r.skewPpm,
    rootDelayS: r.rootDelayS,
    rootDispersionS: r.rootDispersionS,
    leap: LEAP[r.leapStatus] ?? "unsynchronised",
    refTime: r.refTime,
    residualFrequencyPpm: r.residFreqPpm,
    updateIntervalS: r.lastUpdateIntervalS,
  };
}

export function sourceView(r: SourceReport): ChronySource {
  // A refclock's report carries its refid where an address would be.
  const name = r.mode === SOURCE_MODE.refclock && r.address.family === "inet4" ? refidToString(ipv4FromString(r.address.address)) : ipToString(r.address);
  return {
    mode: MODE_CHAR[r.mode] ?? " ",
    state: STATE_CHAR[r.state] ?? " ",
    name,
    stratum: r.stratum,
    poll: r.poll,
    reach: r.reachability,
    lastRxAgoS: ago(r.sinceSampleS),
    lastOffsetS: r.latestMeasS,
    measuredOffsetS: r.origLatestMeasS,
    errorS: r.latestMeasErrS,
  };
}

export function sourceStatsView(r: SourceStatsReport): ChronySourceStats {
  return {
    name: r.address.family === "unspec" ? refidToString(r.refId) : ipToString(r.address),
    samples: r.samples,
    runs: r.runs,
    spanS: r.spanS,
    frequencyPpm: r.residFreqPpm,
    freqSkewPpm: r.skewPpm,
    offsetS: r.estOffsetS,
    stdDevS: r.sdS,
  };
}

export function serverStatsView(r: ServerStatsReport): CmdmonServerStats {
  return {
    ntpReceived: r.ntpHits,
    ntpDropped: r.ntpDrops,
    commandReceived: r.cmdHits,
    commandDropped: r.cmdDrops,
    logRecordsDropped: r.logDrops,
    ntsKeAccepted: r.nkeHits,
    ntsKeDropped: r.nkeDrops,
    authenticatedNtp: r.ntpAuthHits,
    interleavedNtp: r.ntpInterleavedHits,
  };
}

export function clientView(r: ClientAccessReport): ChronyClientRecord {
  return {
    address: ipToString(r.address),
    ntpHits: r.ntpHits,
    ntpDrops: r.ntpDrops,
    ntpIntervalLog2: r.ntpInterval === NO_INTERVAL ? null : r.ntpInterval,
    lastNtpAgoS: ago(r.lastNtpHitAgoS),
    cmdHits: r.cmdHits,
    cmdDrops: r.cmdDrops,
    lastCmdAgoS: ago(r.lastCmdHitAgoS),
    ntsKeHits: r.nkeHits,
    ntsKeDrops: r.nkeDrops,
    lastNtsKeAgoS: ago(r.lastNkeHitAgoS),
  };
}

/** Clients that sent an NTP request within `withinS` seconds: the figure the panel shows. */
export function countRecentNtpClients(clients: readonly ChronyClientRecord[], withinS: number): number {
  return clients.filter((c) => c.ntpHits > 0 && c.lastNtpAgoS !== null && c.lastNtpAgoS <= withinS).length;
}
