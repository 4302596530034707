/*
 * `stratum1ctl gps` as text: the fix, DOPs, position, the receiver's
 * identity and antenna, then the satellite table (system, PRN/SV, elevation,
 * azimuth, C/N0, used) as cgps and gpsmon show it, sorted by constellation
 * and number. Pure: snapshot in, text out.
 */
import type { StatusSnapshot } from "../../status/contract.js";
import { formatAge, secondsSince, section, when } from "./format.js";
import { fixWord } from "./statusView.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** A C/N0 bar: one block per 5 dB-Hz (a strong signal is 40–50). */
const bar = (cno: number | null): string => (cno === null ? "" : "█".repeat(Math.min(10, Math.round(cno / 5))));

const hemi = (x: number, pos: string, neg: string): string => `${Math.abs(x).toFixed(4)}° ${x >= 0 ? pos : neg}`;

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
    ...(s.jamming
      ? [
          [
            "jamming",
            `${s.jamming.state === "ok" ? style.ok("ok") : style.bad(s.jamming.state)}, CW indicator ${s.jamming.indicator}/255 (${s.jamming.source}, since ${when(s.jamming.since, nowUs)})`,
          ] as [string, string],
        ]
      : []),
    ["serial", `${s.device.path} at ${s.device.baud} baud, ${s.device.state}`],
  ];
  const head = section("GPS", rows, style.bold);
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
