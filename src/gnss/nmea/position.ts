/*
 * NMEA positions: latitude ddmm.mmmm + N/S, longitude dddmm.mmmm + E/W.
 * An empty or unreadable field is "no position", never 0 (a position at 0°N
 * 0°E during a cold start, as general NMEA libraries read it).
 */
import type { Position } from "../sky.js";
import { isDecimal } from "./digits.js";

function degrees(text: string, hemi: string, degDigits: number, max: number, negative: string, positive: string): number | undefined {
  // d{degDigits} then mm[.m+]: the whole part is the degrees and two digits of minutes.
  if (!isDecimal(text, { whole: degDigits + 2 }) || (hemi !== negative && hemi !== positive)) return undefined;
  const minutes = Number(text.slice(degDigits));
  const value = Number(text.slice(0, degDigits)) + minutes / 60;
  if (minutes >= 60 || value > max) return undefined;
  return hemi === negative ? -value : value;
}

/** fields: lat, N/S, lon, E/W as they stand in GGA, GNS, RMC, GLL; altitude (m above MSL) when the sentence has one. */
export function readPosition(lat: string, ns: string, lon: string, ew: string, alt?: string): Position | undefined {
  const latDeg = degrees(lat, ns, 2, 90, "S", "N");
  const lonDeg = degrees(lon, ew, 3, 180, "W", "E");
  if (latDeg === undefined || lonDeg === undefined) return undefined;
  const altM = alt !== undefined && isDecimal(alt, { signed: true }) ? Number(alt) : undefined;
  return altM !== undefined ? { latDeg, lonDeg, altM } : { latDeg, lonDeg };
}
