/*
 * `stratum1ctl gps` as text: the fix, DOPs, position, the receiver's
 * identity and antenna, then the satellite table (system, PRN/SV, elevation,
 * azimuth, C/N0, used) as cgps and gpsmon show it, sorted by constellation
 * and number; between them, what receiver control found and did (state,
 * configuration and its refusals, survey-in or the position held), the
 * receiver's jamming and spoofing verdicts and TIM-TP's qErr on the pulse.
 * Pure: snapshot in, text out.
 */
import type { ReceiverControlView, StatusSnapshot } from "../../status/contract.js";
import { formatAge, secondsSince, section, when } from "./format.js";
import { fixWord } from "./statusView.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** A C/N0 bar: one block per 5 dB-Hz (a strong signal is 40–50). */
const bar = (cno: number | null): string => (cno === null ? "" : "█".repeat(Math.min(10, Math.round(cno / 5))));

const hemi = (x: number, pos: string, neg: string): string => `${Math.abs(x).toFixed(4)}° ${x >= 0 ? pos : neg}`;

/** States in which the box is not getting what it needs from the receiver. */
const TROUBLE = new Set(["no-receiver", "silent"]);

const metres = (m: number): string => `${m < 10 ? m.toFixed(2) : m.toFixed(1)} m`;

/** Receiver control: what it found, what it set and what the receiver refused, and the survey or the position held. */
function controlRows(c: ReceiverControlView, nowUs: number, style: Style): Array<[string, string]> {
  const state = TROUBLE.has(c.state) ? style.bad(c.state) : c.state === "ready" || c.state === "listening" ? style.ok(c.state) : style.warn(c.state);
  const rows: Array<[string, string]> = [
    ["state", `${state}: ${c.detail} (since ${when(c.since, nowUs)})`],
    ["receiver", c.receiver ?? "not identified yet"],
    ["baud", String(c.baud)],
  ];
  const cfg = c.configuration;
  if (!c.configure) rows.push(["configuration", "off (gps.configure = off): the box identifies the receiver and listens, and changes nothing"]);
  else if (!cfg) rows.push(["configuration", "not sent yet"]);
  else {
    const problems = cfg.problems.length;
    rows.push(["configuration", `${cfg.acknowledged} settings acknowledged${problems > 0 ? `, ${style.bad(`${problems} refused or unanswered`)}` : ", none refused"} (sent ${when(cfg.at, nowUs)})`]);
    for (const p of cfg.problems) rows.push(["", `${style.bad(p.outcome)} ${p.step}: ${p.detail}`]);
    for (const n of cfg.notes) rows.push(["note", n]);
  }
  const sv = c.survey;
  if (sv) {
    const timeDone = sv.durationS >= sv.wantedS;
    const accDone = sv.accuracyM <= sv.wantedM;
    rows.push([
      "survey-in",
      `${sv.durationS} s of at least ${sv.wantedS} s${timeDone ? " (done)" : ""}, accuracy ${metres(sv.accuracyM)} of ${metres(sv.wantedM)} wanted${accDone ? " (reached)" : ""}`,
    ]);
  } else if (c.position) {
    rows.push(["position held", `fixed, ${c.position.source === "saved" ? "saved from an earlier survey-in (state.dir)" : "surveyed in this run"}, ±${metres(c.position.accuracyM)}`]);
  }
  return rows;
}

/** Jamming, spoofing, the network cross-check and qErr: what tells whether the receiver's time can be trusted. */
function trustRows(s: StatusSnapshot, nowUs: number, style: Style): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const checks = s.gnssChecks;
  if (s.jamming) {
    const j = s.jamming;
    const limit = checks.jammingLevel !== null ? `alarm at ${checks.jammingLevel}` : "alarm only at the receiver's 'critical'";
    rows.push(["jamming", `${j.state === "ok" ? style.ok("ok") : style.bad(j.state)}, CW indicator ${j.indicator}/255, ${limit} (${j.source}, since ${when(j.since, nowUs)})`]);
  }
  if (s.spoofing) {
    const sp = s.spoofing;
    const word = sp.state === "none" ? style.ok("none indicated") : sp.state === "unknown" ? style.warn("unknown") : style.bad(sp.state);
    rows.push(["spoofing", `${word}${checks.spoofingAlarm ? "" : " (alarm off: gps.spoofing-alarm)"} (${sp.source}, ${when(sp.at, nowUs)})`]);
  }
  const net = checks.network;
  if (checks.networkLimitMs !== null) {
    rows.push([
      "vs network",
      net
        ? `pulse ${net.pulseMinusNetworkMs >= 0 ? "+" : ""}${net.pulseMinusNetworkMs.toFixed(3)} ms from ${net.servers} network servers (±${net.errorMs.toFixed(3)} ms; alarm beyond ${checks.networkLimitMs} ms)`
        : `not compared yet (needs a recent pulse sample and two reachable servers; alarm beyond ${checks.networkLimitMs} ms)`,
    ]);
  }
  if (s.pps) {
    const q = s.pps.qErr;
    rows.push([
      "qErr",
      q
        ? `applied to ${q.applied} pulses; sawtooth spread ${q.spreadBeforeNs.toFixed(1)} ns before, ${q.spreadAfterNs.toFixed(1)} ns after (over the last ${q.window} pulses)`
        : "not applied (the receiver sends no TIM-TP)",
    ]);
  }
  return rows;
}

export function renderGps(s: StatusSnapshot, nowUs: number, style: Style): string {
  const f = s.fix;
  const dop = f.dop
    ? Object.entries(f.dop)
        .map(([k, v]) => `${k.toUpperCase()} ${v.toFixed(2)}`)
        .join("  ")
    : "not reported";
  const r = s.receiver;
  const who = r ? [r.vendor, r.model].filter(Boolean).join(" ") || "unnamed" : null;
  const rows: Array<[string, string]> = [
    [
      "fix",
      `${fixWord(f.mode)}, ${f.satellitesUsed ?? "?"} used / ${f.satellitesSeen} in view${
        Object.keys(f.seenBySystem).length > 0
          ? ` (${Object.entries(f.seenBySystem)
              .map(([k, n]) => `${k} ${n}`)
              .join(", ")})`
          : ""
      }`,
    ],
    ["DOP", dop],
    [
      "position",
      f.position
        ? `${hemi(f.position.latDeg, "N", "S")}, ${hemi(f.position.lonDeg, "E", "W")}${f.position.altM !== null ? `, ${f.position.altM} m above sea level` : ""} (rounded to ~11 m)`
        : "none (no fix)",
    ],
    [
      "receiver",
      r
        ? `${who}${r.firmware ? `, firmware ${r.firmware}` : ""}${r.hardware ? `, hardware ${r.hardware}` : ""}${r.protocol ? `, protocol ${r.protocol}` : ""} (from ${r.source})`
        : "has not said (u-blox says at start-up or when polled for MON-VER)",
    ],
    ["antenna", s.antenna ? `${s.antenna.state === "ok" ? style.ok("ok") : style.bad(s.antenna.state)} (${s.antenna.source}, since ${when(s.antenna.since, nowUs)})` : "not reported by the receiver"],
    ...trustRows(s, nowUs, style),
    ["serial", `${s.device.path} at ${s.device.baud} baud, ${s.device.state}`],
  ];
  const control = s.gpsControl ? `\n${section("Receiver control", controlRows(s.gpsControl, nowUs, style), style.bold)}` : "";
  const head = section("GPS", rows, style.bold) + control;
  const sky = s.sky;
  if (!sky || sky.satellites.length === 0) return `${head}\n${style.warn("No satellites listed yet")} (the receiver sends no GSV or NAV-SAT, or has sent none yet)\n`;
  const age = secondsSince(sky.updatedAt, nowUs);
  const used = sky.satellites.filter((x) => x.used).length;
  const title = `${style.bold("Satellites")} ${sky.satellites.length} listed, ${used} used (from ${sky.source}${age !== null ? `, ${formatAge(age)} ago` : ""})\n`;
  const table = renderTable(
    [{ title: "System" }, { title: "PRN", align: "right" }, { title: "Elev", align: "right" }, { title: "Azim", align: "right" }, { title: "C/N0", align: "right" }, { title: "Used" }, { title: "" }],
    sky.satellites.map((x) => [
      x.system,
      String(x.id),
      x.elevationDeg !== null ? `${x.elevationDeg}°` : "-",
      x.azimuthDeg !== null ? `${x.azimuthDeg}°` : "-",
      x.cnoDbHz !== null ? String(x.cnoDbHz) : "-",
      x.used ? style.ok("Y") : "N",
      style.dim(bar(x.cnoDbHz)),
    ]),
  );
  return `${head}\n${title}${table}`;
}
