/*
 * The world a simulated receiver sees, given by whoever owns time: whether
 * it has a fix, whether it knows the leap-second count, an announced leap
 * second, and where its antenna truly is. Plus the arithmetic every
 * receiver does with it: UTC second → GPS week and time of week, ECEF →
 * latitude/longitude for the NMEA and NAV-PVT it prints.
 */

export interface SkyState {
  /** A navigation solution (and with it a locked pulse). */
  fix: boolean;
  /** The receiver knows GPS − UTC (without it, UBX says validUTC = 0 and RMC still prints a time). */
  utcValid: boolean;
  /** GPS − UTC, s. */
  leapSeconds: number;
  /** An announced leap second: +1 insert or −1 delete, at the end of the UTC day containing atUtcSecond. */
  leapAnnouncement: { change: 1 | -1; atUtcSecond: number } | undefined;
  /** The antenna's true position, ECEF metres. */
  antennaEcefM: { x: number; y: number; z: number };
  /** Satellites used in the fix (and roughly in view). */
  satellites: number;
  /** What the receiver's RF front end sees (u-blox MON-HW/MON-RF, NAV-STATUS); all quiet when absent. */
  rf?: RfEnvironment;
}

export interface RfEnvironment {
  /** CW jamming indicator 0..255 and the receiver's verdict on it. */
  jamInd: number;
  jamming: "ok" | "warning" | "critical";
  antenna: "ok" | "open" | "short";
  spoofing: "none" | "indicated" | "multiple";
}

export const QUIET_RF: RfEnvironment = { jamInd: 12, jamming: "ok", antenna: "ok", spoofing: "none" };

/** Somewhere in Zürich, 500 m up: a plausible roof. */
export const DEFAULT_SKY: SkyState = {
  fix: true,
  utcValid: true,
  leapSeconds: 18,
  leapAnnouncement: undefined,
  antennaEcefM: { x: 4278387.123, y: 645324.456, z: 4672399.789 },
  satellites: 14,
};

export const GPS_EPOCH_S = 315_964_800;
export const WEEK_S = 604_800;

/** GPS week and time of week (ms) of a UTC second. */
export function gpsWeekTow(utcSecond: number, leapSeconds: number): { week: number; towMs: number } {
  const gps = utcSecond - GPS_EPOCH_S + leapSeconds;
  const week = Math.floor(gps / WEEK_S);
  return { week, towMs: (gps - week * WEEK_S) * 1000 };
}

/** WGS84 ECEF → geodetic (Bowring's iteration; sub-mm at the surface). */
export function ecefToLla(p: { x: number; y: number; z: number }): { latDeg: number; lonDeg: number; heightM: number } {
  const a = 6378137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const lon = Math.atan2(p.y, p.x);
  const r = Math.hypot(p.x, p.y);
  let lat = Math.atan2(p.z, r * (1 - e2));
  let h = 0;
  for (let i = 0; i < 5; i++) {
    const n = a / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
    h = r / Math.cos(lat) - n;
    lat = Math.atan2(p.z, r * (1 - (e2 * n) / (n + h)));
  }
  return { latDeg: (lat * 180) / Math.PI, lonDeg: (lon * 180) / Math.PI, heightM: h };
}
