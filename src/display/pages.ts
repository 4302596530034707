/*
 * What the front panel shows, as text rows, from the status snapshot alone:
 * pure functions, so every page and alarm screen is testable without a bus.
 *
 * 16x2: the pages rotate (time, sync, GPS, host, NTP, and the fleet gate on
 * a box in a fleet), one per period; an alarm takes the whole screen. 20x4:
 * the top half always shows the time, the bottom half rotates the other
 * pages, or shows the alarm. Several alarms take turns, one per period. An
 * update being installed shows its progress in place of both: someone is
 * watching it, and nothing else changes meanwhile.
 */
import { isNotice } from "../status/alarms.js";
import type { FleetHealth, StatusSnapshot } from "../status/contract.js";
import { GLYPH } from "./glyphs.js";

export type PageId = "time" | "sync" | "gps" | "receiver" | "host" | "ntp" | "fleet";
export const PAGES: readonly PageId[] = ["time", "sync", "gps", "receiver", "host", "ntp", "fleet"];

export interface Screen {
  lines: string[];
  /** "time", "gps", … or "alarm:no-fix": what is on the glass, for the status and the tests. */
  view: string;
  alarm: boolean;
}

type Block = [string, string];

/** `left` then `right` flush to the right edge of `width`; the left part is cut, never the right. */
export function fit(left: string, right: string, width: number): string {
  const r = right.slice(0, width);
  const l = left.slice(0, Math.max(0, width - r.length - (r && left ? 1 : 0)));
  return l + " ".repeat(width - l.length - r.length) + r;
}

const two = (n: number): string => String(n).padStart(2, "0");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Seconds as the panel writes an offset: "+850ns", "+12.3µs", "-1.25ms", "+2.000s". */
export function formatOffset(s: number): string {
  const sign = s < 0 ? "-" : "+";
  const a = Math.abs(s);
  if (a < 1e-6) return `${sign}${Math.round(a * 1e9)}ns`;
  if (a < 1e-3) return `${sign}${(a * 1e6).toFixed(a < 1e-4 ? 1 : 0)}µs`;
  if (a < 1) return `${sign}${(a * 1e3).toFixed(a < 1e-2 ? 2 : 1)}ms`;
  return `${sign}${a.toFixed(3)}s`;
}

export function formatDuration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${two(h)}h`;
  if (h > 0) return `${h}h${two(m)}m`;
  return `${m}m${two(Math.floor(s % 60))}s`;
}

function stratum(s: StatusSnapshot): string {
  const t = s.chrony?.tracking;
  return t && t.leap !== "unsynchronised" && t.stratum > 0 ? `S${t.stratum}` : "S-";
}

function timeBlock(s: StatusSnapshot, nowUs: number, width: number): Block {
  const d = new Date(Math.floor(nowUs / 1e6) * 1000);
  const mark = s.alarms.length > 0 ? GLYPH.warning : s.summary.label === "locked-pps" ? GLYPH.lock : " ";
  return [
    fit(`${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`, `${mark}${stratum(s)}`, width),
    fit(`${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`, "", width),
  ];
}

function syncBlock(s: StatusSnapshot, width: number): Block {
  const t = s.chrony?.tracking;
  let second: string;
  if (!s.chrony) second = "chrony: not read";
  else if (!t) second = "chrony: no answer";
  else if (t.leap === "unsynchronised") second = "chrony: unsynced";
  else second = `offset ${formatOffset(t.lastOffsetS)}`;
  let rms = "";
  if (t && t.leap !== "unsynchronised" && width >= 20) {
    // chrony's rms offset on the wide panel; the word "offset" shortens to make room for it.
    rms = `rms ${formatOffset(t.rmsOffsetS).slice(1)}`;
    const off = formatOffset(t.lastOffsetS);
    second = [`offset ${off}`, `ofs ${off}`, off].find((x) => x.length + 1 + rms.length <= width) ?? off;
  }
  return [fit(s.summary.text, stratum(s), width), fit(second, rms, width)];
}

const FIX_WORD: Record<string, string> = { "3d": "3D", "2d": "2D", "time-only": "TIME", none: "NONE", "dead-reckoning": "DR", unknown: "?" };
const ANT_WORD: Record<string, string> = { ok: "OK", open: "OPEN", short: "SHRT", unknown: "?" };
const PPS_WORD: Record<string, string> = { locked: "OK", holdover: "HOLD", "no-pulse": "NONE", "pulse-without-time": "NO TIME" };

function gpsBlock(s: StatusSnapshot, width: number): Block {
  const ant = s.antenna ? `${GLYPH.antenna}${ANT_WORD[s.antenna.state]}` : "";
  const pps = s.pps ? `PPS ${PPS_WORD[s.pps.state] ?? s.pps.state}` : "PPS off";
  const delay = s.pps?.delayMs !== null && s.pps?.delayMs !== undefined && width >= 20 ? `+${Math.round(s.pps.delayMs)}ms` : "";
  // pps.edge=auto without a verified clock yet: the direction is assumed, and the panel says so.
  const assumed = s.pps?.edge.basis === "assumed" && s.pps.state === "locked" ? "edge?" : "";
  return [
    fit(`${GLYPH.satellite} ${s.fix.satellitesUsed ?? "-"}/${s.fix.satellitesSeen} ${FIX_WORD[s.fix.mode] ?? s.fix.mode}`, ant, width),
    fit(pps, [delay, assumed].filter((x) => x).join(" "), width),
  ];
}

/** "NEO-M8T" from "u-blox NEO-M8T-0, TIM 1.10, …"; "MT3339" from "MediaTek MT3339 …". */
function receiverModel(description: string): string {
  const first = description
    .split(",")[0]!
    .replace(/^u-blox\s+/, "")
    .replace(/^MediaTek\s+/, "");
  return first.replace(/-0$/, "");
}

const BAUD_WORD = (b: number): string => (b >= 1000 && b % 1000 !== 0 ? `${(b / 1000).toFixed(1).replace(".", "k")}` : `${b / 1000}k`);

/** What receiver control found and did: the model and rate, then the survey, the held position, a refused setting or the state. */
function receiverBlock(s: StatusSnapshot, width: number): Block {
  const g = s.gpsControl;
  if (!g) return [fit("receiver", "", width), fit("not driven", "", width)];
  let second: string;
  const problems = g.configuration?.problems.length ?? 0;
  if (g.survey) {
    const acc = g.survey.accuracyM >= 100 ? `${Math.round(g.survey.accuracyM)}m` : `${g.survey.accuracyM.toFixed(1)}m`;
    // The accuracy reached, and on the wide panel the one wanted (gps.survey-accuracy).
    second = fit(`svin ${formatDuration(g.survey.durationS)}`, width >= 20 ? `${acc}/${g.survey.wantedM}m` : acc, width);
  } else if (problems > 0) second = fit("config", `${problems} refused`, width);
  else if (g.position && g.state === "ready") second = fit(g.position.source === "saved" ? "saved pos" : "fixed pos", `${g.position.accuracyM.toFixed(1)}m`, width);
  else if (!g.configure) second = fit("not configured", "", width);
  else second = fit(g.state, "", width);
  return [fit(g.receiver ? receiverModel(g.receiver) : "receiver ?", BAUD_WORD(g.baud), width), second];
}

function hostBlock(s: StatusSnapshot, width: number): Block {
  const h = s.host;
  const temp = h?.cpuTempC !== null && h?.cpuTempC !== undefined ? `${Math.round(h.cpuTempC)}°C` : "--°C";
  return [fit(h?.address ?? "no network", "", width), fit(temp, h ? `up ${formatDuration(h.uptimeS)}` : "", width)];
}

function ntpBlock(s: StatusSnapshot, width: number): Block {
  const n = s.chrony?.ntp;
  const rate = n?.perSecond !== null && n?.perSecond !== undefined ? (n.perSecond >= 100 ? n.perSecond.toFixed(0) : n.perSecond.toFixed(1)) : "-";
  return [fit("NTP clients", n?.clients !== null && n?.clients !== undefined ? String(n.clients) : "-", width), fit("requests/s", rate, width)];
}

const FLEET_WORD: Record<FleetHealth, string> = { healthy: "ANNOUNCED", degraded: "DEGRADED", bad: "WITHDRAWN" };

function fleetBlock(s: StatusSnapshot, nowUs: number, width: number): Block {
  const f = s.fleet;
  if (!f) return [fit("FLEET", "off", width), fit("", "", width)];
  let second: Block[1];
  if (f.updatedAt === null) second = fit("gate not running", "", width);
  else if (f.holdDownLeftS !== null) second = fit("hold-down", `${f.holdDownLeftS}s`, width);
  else second = fit("for", f.since ? formatDuration(Math.max(0, nowUs / 1e6 - Date.parse(f.since) / 1000)) : "-", width);
  return [fit("FLEET", FLEET_WORD[f.state], width), second];
}

function installBlock(install: { percent: number; step: string }, width: number): Block {
  return [fit("UPDATING", `${install.percent}%`, width), fit(install.step, "", width)];
}

function pageBlock(page: PageId, s: StatusSnapshot, nowUs: number, width: number): Block {
  switch (page) {
    case "time":
      return timeBlock(s, nowUs, width);
    case "sync":
      return syncBlock(s, width);
    case "gps":
      return gpsBlock(s, width);
    case "receiver":
      return receiverBlock(s, width);
    case "host":
      return hostBlock(s, width);
    case "ntp":
      return ntpBlock(s, width);
    case "fleet":
      return fleetBlock(s, nowUs, width);
  }
}

/** Parses "time,sync,gps": known pages, each once, at least one. */
export function parsePages(text: string): PageId[] | undefined {
  const list = text.split(",").map((p) => p.trim());
  const ok = list.length > 0 && list.every((p) => (PAGES as readonly string[]).includes(p)) && new Set(list).size === list.length;
  return ok ? (list as PageId[]) : undefined;
}

export function renderScreen(s: StatusSnapshot, geometry: { cols: number; rows: number }, nowUs: number, pageS: number, pages: readonly PageId[] = PAGES): Screen {
  const { cols, rows } = geometry;
  const turn = Math.floor(nowUs / 1e6 / pageS);
  const top: Block | undefined = rows >= 4 ? timeBlock(s, nowUs, cols) : undefined;
  let block: Block;
  let view: string;
  const install = s.update?.install;
  if (install) {
    block = installBlock(install, cols);
    view = "update";
  } else if (s.alarms.length > 0) {
    const i = turn % s.alarms.length;
    const a = s.alarms[i]!;
    block = [fit(`${GLYPH.warning}${a.title}`, s.alarms.length > 1 ? `${i + 1}/${s.alarms.length}` : "", cols), fit(a.hint, "", cols)];
    view = `alarm:${a.id}`;
  } else {
    // The 20x4 shows the time on top already; below it the other chosen pages, or the sync page if none.
    // The receiver page only where the box talks to its receiver (a serial port it can write to); the fleet page only on a box in a fleet.
    const shown = pages.filter((p) => (p !== "receiver" || s.gpsControl) && (p !== "fleet" || s.fleet !== null));
    const below = top ? shown.filter((p) => p !== "time") : shown;
    const rotation: readonly PageId[] = below.length > 0 ? below : ["sync"];
    const page = rotation[turn % rotation.length]!;
    block = pageBlock(page, s, nowUs, cols);
    view = page;
  }
  // A notice (a leap second ahead, a leap list to update) is shown but does not blink the backlight; nor does an install's progress.
  return { lines: top ? [...top, ...block] : block, view, alarm: !install && s.alarms.some((a) => !isNotice(a.id)) };
}
