/* Small text formats shared by stratum1ctl's views (the panel's offset and duration formats are reused from display/pages). */
import { formatDuration, formatOffset } from "../../display/pages.js";

export { formatDuration, formatOffset };

/** "0.4 s", "12 s", "5m02s", "3d04h". */
export function formatAge(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  return formatDuration(s);
}

/** Seconds since an ISO time, or null without one. */
export const secondsSince = (iso: string | null | undefined, nowUs: number): number | null => (iso ? Math.max(0, nowUs / 1e6 - Date.parse(iso) / 1000) : null);

/** "2026-11-22 12:00:01 UTC (3m12s ago)" or "-". */
export function when(iso: string | null | undefined, nowUs: number): string {
  const ago = secondsSince(iso, nowUs);
  if (!iso || ago === null) return "-";
  return `${iso
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")
    .replace(/Z$/, "")} UTC (${formatAge(ago)} ago)`;
}

/** "a 3, b 1" from a counter map, largest first; "none" when empty. */
export function counters(map: Record<string, number> | undefined): string {
  const entries = Object.entries(map ?? {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return "none";
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

export const ppm = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(3)} ppm`;

/** Key/value lines with the keys in one column. */
export function section(title: string, rows: ReadonlyArray<readonly [string, string]>, bold: (t: string) => string): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${bold(title)}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}
