/*
 * `stratum1ctl status` as text: one screen, verdict first, then what an
 * operator checks in order (time and pulse, fix, chrony, clients, alarms with
 * their first thing to check, host, input health, outputs). Pure: snapshot
 * and verdict in, text out.
 */
import { isNotice } from "../../status/alarms.js";
import type { StatusSnapshot } from "../../status/contract.js";
import { counters, formatAge, formatDuration, formatOffset, ppm, secondsSince, section, when } from "./format.js";
import type { Style } from "./style.js";
import type { Verdict } from "./verdict.js";

const FIX: Record<string, string> = { "3d": "3D", "2d": "2D", "time-only": "time only (surveyed position)", none: "none", "dead-reckoning": "dead reckoning", unknown: "unknown" };

export const fixWord = (mode: string): string => FIX[mode] ?? mode;

function verdictLine(v: Verdict, s: StatusSnapshot, style: Style): string {
  const paint = v.exitCode === 0 ? style.ok : v.exitCode === 1 ? style.warn : style.bad;
  const t = s.chrony?.tracking;
  // A stopped service's chrony figures are history: no "serving" claim from them.
  const stratum = t && t.leap !== "unsynchronised" && v.state !== "not-running" ? `, serving stratum ${t.stratum}` : "";
  const why = v.reason ? `: ${v.reason}` : "";
  return paint(style.bold(`${v.label}${stratum}`)) + (v.state === "serving" ? style.ok(" (serving good time)") : paint(why)) + "\n";
}

function timeRows(s: StatusSnapshot, nowUs: number): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  rows.push(["receiver", `${s.time.state}: ${s.time.detail} (since ${when(s.time.since, nowUs)})`]);
  if (s.time.lastUtc) rows.push(["last second", `${s.time.lastUtc}${s.time.lastOffsetS !== null ? `, NMEA sample offset ${formatOffset(s.time.lastOffsetS)}` : ""}`]);
  const p = s.pps;
  if (!p) rows.push(["PPS", "not configured (pps.sysfs and pps.gpio off)"]);
  else {
    const delay = p.delayMs !== null ? `, receiver's words ${p.delayMs.toFixed(1)} ms after the edge (±${(p.delayJitterMs ?? 0).toFixed(1)} ms)` : "";
    rows.push(["PPS", `${p.state} since ${when(p.since, nowUs)}${delay}`]);
    rows.push(["", p.detail]);
    rows.push(["", `edges ${p.counts.edges}, labelled ${p.counts.labelled} (+${p.counts.labelledByCount} by count), missed ${p.counts.missedEdges}, spurious ${p.counts.spuriousEdges}`]);
  }
  const f = s.fix;
  const dop = f.dop
    ? Object.entries(f.dop)
        .map(([k, v]) => `${k.toUpperCase()} ${v}`)
        .join(" ")
    : "";
  rows.push(["fix", `${fixWord(f.mode)}, ${f.satellitesUsed ?? "?"} used / ${f.satellitesSeen} in view${dop ? `, ${dop}` : ""}`]);
  if (s.antenna) rows.push(["antenna", `${s.antenna.state} (${s.antenna.source})`]);
  return rows;
}

function chronyRows(s: StatusSnapshot, nowUs: number): Array<[string, string]> {
  const c = s.chrony;
  if (!c) return [["chrony", "not read (chrony.monitor and chrony.control are off)"]];
  if (!c.reachable) return [["chrony", `UNREACHABLE: ${c.error ?? "no answer yet"}`]];
  const t = c.tracking;
  const rows: Array<[string, string]> = [];
  if (t) {
    rows.push(["reference", `${t.refName} (stratum ${t.stratum}), leap ${t.leap}`]);
    rows.push(["offset", `${formatOffset(t.lastOffsetS)} last, rms ${formatOffset(t.rmsOffsetS).slice(1)}, system clock ${formatOffset(t.systemOffsetS)} from true time`]);
    rows.push(["frequency", `${ppm(t.frequencyPpm)} (skew ${t.skewPpm.toFixed(3)} ppm), root dispersion ${formatOffset(t.rootDispersionS).slice(1)}`]);
  }
  const sel = c.selected;
  rows.push(["selected", sel ? `${sel.name}: reach ${sel.reach.toString(8)}, last sample ${formatOffset(sel.measuredOffsetS)} ±${formatOffset(sel.errorS).slice(1)}` : "no source selected"]);
  const n = c.ntp;
  rows.push([
    "NTP clients",
    n ? `${n.clients ?? "?"} in the last hour, ${n.perSecond !== null ? n.perSecond.toFixed(1) : "?"} requests/s (${n.received} received, ${n.dropped} dropped)` : "no server statistics",
  ]);
  rows.push(["read", when(c.updatedAt, nowUs)]);
  return rows;
}

function alarmText(s: StatusSnapshot, nowUs: number, style: Style): string {
  if (s.alarms.length === 0) return `${style.bold("Alarms")}\n  ${style.ok("none")}\n`;
  const lines = s.alarms.map((a) => {
    const paint = isNotice(a.id) ? style.warn : style.bad;
    return `  ${paint(`! ${a.title}`)} — check: ${a.hint} (since ${when(a.since, nowUs)})\n      ${a.detail}`;
  });
  return `${style.bold("Alarms")}\n${lines.join("\n")}\n`;
}

const FLEET_WORD: Record<string, string> = { healthy: "announced (healthy)", degraded: "announced with the longer AS path (degraded)", bad: "withdrawn (bad)" };

/** The fleet gate and the updater: shown only where they run. */
function neighbourRows(s: StatusSnapshot, nowUs: number): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const f = s.fleet;
  if (f) {
    rows.push(["fleet", `${FLEET_WORD[f.state] ?? f.state}${f.since ? ` since ${when(f.since, nowUs)}` : ""}${f.holdDownLeftS !== null ? `, hold-down ${f.holdDownLeftS} s more` : ""}`]);
    if (f.reason) rows.push(["", f.reason]);
  }
  const u = s.update;
  if (u) {
    rows.push(["build", `${u.version}${u.slot ? ` from slot ${u.slot}` : ""} (${u.phase})`]);
    if (u.install) rows.push(["installing", `${u.install.percent}%: ${u.install.step}`]);
    if (u.rollback) rows.push(["rollback", `${u.rollback.version} rolled back at ${u.rollback.at}: stratum1ctl update acknowledge`]);
  }
  return rows;
}

function inputRows(s: StatusSnapshot, nowUs: number): Array<[string, string]> {
  const d = s.device;
  const c = s.counts;
  const dataAge = secondsSince(d.lastDataAt, nowUs);
  return [
    ["serial", `${d.path} at ${d.baud} baud: ${d.state}${d.detail.includes(d.path) ? "" : ` (${d.detail})`}, last data ${dataAge !== null ? `${formatAge(dataAge)} ago` : "never"}`],
    ["received", `${c.bytes} bytes, ${c.nmeaSentences} NMEA sentences, ${c.ubxFrames} UBX frames, ${c.epochs} epochs, ${c.samples} samples`],
    ["bad input", `framing: ${counters(s.rejected.framing)}; decode: ${counters(s.rejected.decode)}`],
    ["refused time", counters(s.rejected.gate)],
  ];
}

function outputRows(s: StatusSnapshot): Array<[string, string]> {
  const sinks = { ...s.sinks, ...(s.pps?.sinks ?? {}) };
  const rows = Object.entries(sinks).map(([name, st]): [string, string] => [name, `${st.state}, ${st.delivered} delivered, ${st.failed} failed`]);
  return rows.length > 0 ? rows : [["samples", "no output configured (chrony.sock, shm.unit, pps.sock, pps.shm off)"]];
}

export function renderStatus(s: StatusSnapshot, v: Verdict, ctx: { nowUs: number; ageS: number; path: string; hostname: string }, style: Style): string {
  const { nowUs } = ctx;
  const h = s.host;
  const header = `stratum1 on ${ctx.hostname}${h?.address ? ` (${h.address})` : ""} — ${new Date(Math.floor(nowUs / 1000))
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")} UTC\n`;
  const service = `stratum1d up ${formatDuration(secondsSince(s.service.startedAt, nowUs) ?? 0)}, snapshot ${formatAge(ctx.ageS)} old (${ctx.path})${s.service.statusWriteError ? `; cannot write it: ${s.service.statusWriteError}` : ""}`;
  const host: Array<[string, string]> = [
    ["address", h?.address ? `${h.address}${h.iface ? ` (${h.iface})` : ""}` : "no network"],
    ["CPU", h?.cpuTempC !== null && h?.cpuTempC !== undefined ? `${h.cpuTempC.toFixed(1)} °C` : "temperature unknown"],
    ["uptime", h ? formatDuration(h.uptimeS) : "unknown"],
    ["service", service],
  ];
  return [
    header,
    verdictLine(v, s, style),
    "\n",
    section("Time", timeRows(s, nowUs), style.bold),
    section("chrony", chronyRows(s, nowUs), style.bold),
    alarmText(s, nowUs, style),
    section("Host", [...host, ...neighbourRows(s, nowUs)], style.bold),
    section("Input", inputRows(s, nowUs), style.bold),
    section("Outputs", outputRows(s), style.bold),
  ].join("");
}
