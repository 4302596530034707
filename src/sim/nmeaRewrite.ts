/*
 * Moves an NMEA sentence to another UTC second: its time-of-day and date
 * fields are replaced (keeping the receiver's own fraction format), the
 * checksum recomputed. Used to replay old captures as if live, so chrony sees
 * samples at the current time.
 */
import { withChecksum } from "../gnss/nmea/sentence.js";

const two = (n: number): string => String(n).padStart(2, "0");

function timeField(old: string, d: Date): string {
  if (old === "") return old;
  const dot = old.indexOf(".");
  const frac = dot < 0 ? "" : old.slice(dot);
  return `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${frac}`;
}

/** Field indexes (after the address) of time and date, per sentence type. */
const LAYOUT: Record<string, { time: number; ddmmyy?: number; zda?: true }> = {
  RMC: { time: 0, ddmmyy: 8 },
  GGA: { time: 0 },
  GNS: { time: 0 },
  GLL: { time: 4 },
  ZDA: { time: 0, zda: true },
};

export function rewriteSentence(text: string, utcSecond: number): string {
  const star = text.lastIndexOf("*");
  if (!text.startsWith("$") || star < 0) return text;
  const fields = text.slice(0, star).split(",");
  const address = fields[0]!.slice(1);
  const layout = address.startsWith("P") ? undefined : LAYOUT[address.slice(2)];
  if (!layout) return text;
  const d = new Date(utcSecond * 1000);
  const t = layout.time + 1;
  fields[t] = timeField(fields[t] ?? "", d);
  if (layout.ddmmyy !== undefined && (fields[layout.ddmmyy + 1] ?? "") !== "") {
    fields[layout.ddmmyy + 1] = `${two(d.getUTCDate())}${two(d.getUTCMonth() + 1)}${two(d.getUTCFullYear() % 100)}`;
  }
  if (layout.zda && (fields[2] ?? "") !== "") {
    fields[2] = two(d.getUTCDate());
    fields[3] = two(d.getUTCMonth() + 1);
    fields[4] = String(d.getUTCFullYear());
  }
  return withChecksum(fields.join(","));
}
