/*
 * chronyc's machine-readable output (`chronyc -c`, one CSV row per record),
 * parsed into named fields. The human tables change between chrony versions
 * and are never read. Field orders are chrony 4.x's (Debian 12 ships 4.3;
 * later versions only append fields).
 */
import type { ChronyLeap, ChronySource, ChronyTracking } from "../status/contract.js";

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

export interface ChronyServerStats {
  ntpReceived: number;
  ntpDropped: number;
  commandReceived: number;
  commandDropped: number;
}

const num = (s: string | undefined): number => Number(s ?? "NaN");

/** The rows of chronyc -c output, split into fields. */
const csvRows = (csv: string): string[][] =>
  csv
    .trim()
    .split("\n")
    .filter((l) => l.includes(","))
    .map((l) => l.split(","));

export function parseSources(csv: string): ChronySource[] {
  return csvRows(csv).map((f) => ({
    mode: f[0] ?? "",
    state: f[1] ?? "",
    name: f[2] ?? "",
    stratum: num(f[3]),
    poll: num(f[4]),
    reach: parseInt(f[5] ?? "0", 8),
    lastRxAgoS: f[6] === "-" ? null : num(f[6]),
    lastOffsetS: num(f[7]),
    measuredOffsetS: num(f[8]),
    errorS: num(f[9]),
  }));
}

export function parseSourceStats(csv: string): ChronySourceStats[] {
  return csvRows(csv).map((f) => ({
    name: f[0] ?? "",
    samples: num(f[1]),
    runs: num(f[2]),
    spanS: num(f[3]),
    frequencyPpm: num(f[4]),
    freqSkewPpm: num(f[5]),
    offsetS: num(f[6]),
    stdDevS: num(f[7]),
  }));
}

const LEAP: Record<string, ChronyLeap> = { Normal: "normal", "Insert second": "insert", "Delete second": "delete", "Not synchronised": "unsynchronised" };

/** `chronyc -c tracking`: refid,name,stratum,reftime,system,last,rms,freq,resid,skew,rootdelay,rootdisp,interval,leap. */
export function parseTracking(csv: string): ChronyTracking | undefined {
  const f = csvRows(csv)[0];
  if (!f || f.length < 14) return undefined;
  return {
    refId: f[0]!,
    refName: f[1]!,
    stratum: num(f[2]),
    systemOffsetS: num(f[4]),
    lastOffsetS: num(f[5]),
    rmsOffsetS: num(f[6]),
    frequencyPpm: num(f[7]),
    skewPpm: num(f[9]),
    rootDelayS: num(f[10]),
    rootDispersionS: num(f[11]),
    leap: LEAP[f[13]!] ?? "unsynchronised",
  };
}

/** `chronyc -c serverstats`: NTP received, NTP dropped, command received, command dropped, then later additions. */
export function parseServerStats(csv: string): ChronyServerStats | undefined {
  const f = csvRows(csv)[0];
  if (!f || f.length < 4) return undefined;
  return { ntpReceived: num(f[0]), ntpDropped: num(f[1]), commandReceived: num(f[2]), commandDropped: num(f[3]) };
}

/** `chronyc -c clients`: host,ntp packets,ntp dropped,int,intl,last rx ago (s),...; how many sent NTP within `withinS`. */
export function countRecentClients(csv: string, withinS: number): number {
  return csvRows(csv).filter((f) => num(f[1]) > 0 && num(f[5]) <= withinS).length;
}

/** refclocks.log rows: "YYYY-MM-DD hh:mm:ss.ffffff REFID DP L P raw cooked disp"; filter rows (DP "-") are skipped. */
export interface ChronyRefclockSample {
  refid: string;
  /** When chrony took the sample, on chrony's own (corrected) time scale: after chronyd -x inserts a leap second, a second behind the host's clock. */
  localS: number;
  /** The sample's offset against the host's clock as stamped (reference minus stamp). */
  rawOffsetS: number;
  /** The same against chrony's corrected clock; localS + cookedOffsetS is the reference time the sample names. */
  cookedOffsetS: number;
}

export function parseRefclockLog(text: string): ChronyRefclockSample[] {
  const out: ChronyRefclockSample[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^\d{4}-\d\d-\d\d$/.test(f[0]!) || !/^\d+$/.test(f[3]!)) continue;
    const [hms = "", frac = "0"] = f[1]!.split(".");
    out.push({ refid: f[2]!, localS: Date.parse(`${f[0]}T${hms}Z`) / 1000 + Number(`0.${frac}`), rawOffsetS: Number(f[6]), cookedOffsetS: Number(f[7]) });
  }
  return out;
}
