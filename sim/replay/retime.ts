/*
 * Moving a receiver's words to another moment, for replaying old captures
 * as if live and for synthesising scenarios (a leap second, a new year) from
 * ordinary captures. Every rewrite keeps the length of what it rewrites (the
 * time fields are fixed-width, checksums are recomputed), so a rewritten
 * stream has every byte where the original had it.
 *  - NMEA: the time of day (keeping the receiver's own fraction format) and,
 *    where the sentence has one and it is not empty, the date.
 *  - UBX: iTOW in every NAV message (it is what groups them into an epoch),
 *    the week where the message has one (NAV-TIMEGPS, NAV-SOL, TIM-TP), and
 *    the UTC date and time of NAV-PVT and NAV-TIMEUTC.
 */
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import type { CivilDate } from "../../src/gnss/report.js";

export const GPS_EPOCH_S = 315_964_800;
const WEEK_S = 604_800;
const WEEK_MS = WEEK_S * 1000;
/** GPS−UTC since 2017-01-01. */
export const CURRENT_LEAP_SECONDS = 18;

/** A UTC second as a receiver names it: civil date and time (second 60 for an inserted leap second) and the GPS time it corresponds to. */
export interface UtcLabel {
  date: CivilDate;
  hour: number;
  minute: number;
  second: number;
  /** Seconds since the GPS epoch (no leap seconds in GPS time). */
  gpsS: number;
}

export function labelForPosix(posix: number, leapSeconds = CURRENT_LEAP_SECONDS): UtcLabel {
  const d = new Date(posix * 1000);
  return {
    date: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    gpsS: posix - GPS_EPOCH_S + leapSeconds,
  };
}

/** The inserted second 23:59:60 that follows `posixOf235959`, with the leap count that was in force before it. */
export function leapSecondLabel(posixOf235959: number, leapSecondsBefore: number): UtcLabel {
  const l = labelForPosix(posixOf235959, leapSecondsBefore);
  return { ...l, second: 60, gpsS: l.gpsS + 1 };
}

const two = (n: number): string => String(n).padStart(2, "0");

/** Field indexes (after the address) of time and date, per sentence type. */
const LAYOUT: Record<string, { time: number; ddmmyy?: number; zda?: true }> = {
  RMC: { time: 0, ddmmyy: 8 },
  GGA: { time: 0 },
  GNS: { time: 0 },
  GLL: { time: 4 },
  ZDA: { time: 0, zda: true },
};

function nmeaParts(text: string): { fields: string[]; layout: (typeof LAYOUT)[string] } | undefined {
  const star = text.lastIndexOf("*");
  if (!text.startsWith("$") || star < 0) return undefined;
  const fields = text.slice(0, star).split(",");
  const address = fields[0]!.slice(1);
  const layout = address.startsWith("P") ? undefined : LAYOUT[address.slice(2)];
  return layout ? { fields, layout } : undefined;
}

/** The sentence with its time (and date, where it has a non-empty one) set to `label`; other sentences unchanged. */
export function retimeNmea(text: string, label: UtcLabel): string {
  const parts = nmeaParts(text);
  if (!parts) return text;
  const { fields, layout } = parts;
  const t = layout.time + 1;
  const old = fields[t] ?? "";
  if (old !== "") {
    const dot = old.indexOf(".");
    fields[t] = `${two(label.hour)}${two(label.minute)}${two(label.second)}${dot < 0 ? "" : old.slice(dot)}`;
  }
  const d = label.date;
  if (layout.ddmmyy !== undefined && (fields[layout.ddmmyy + 1] ?? "") !== "") fields[layout.ddmmyy + 1] = `${two(d.day)}${two(d.month)}${two(d.year % 100)}`;
  if (layout.zda && (fields[2] ?? "") !== "") {
    fields[2] = two(d.day);
    fields[3] = two(d.month);
    fields[4] = String(d.year);
  }
  return withChecksum(fields.join(","));
}

/** The sentence moved by deltaS seconds (its date too, where it has one). A sentence without a readable time is unchanged. */
export function shiftNmea(text: string, deltaS: number): string {
  const parts = nmeaParts(text);
  if (!parts) return text;
  const { fields, layout } = parts;
  const tm = /^(\d\d)(\d\d)(\d\d)/.exec(fields[layout.time + 1] ?? "");
  if (!tm) return text;
  let day = Date.UTC(2000, 0, 1) / 1000;
  const dm = layout.ddmmyy !== undefined ? /^(\d\d)(\d\d)(\d\d)$/.exec(fields[layout.ddmmyy + 1] ?? "") : undefined;
  if (dm) day = Date.UTC(2000 + Number(dm[3]), Number(dm[2]) - 1, Number(dm[1])) / 1000;
  if (layout.zda && /^\d\d$/.test(fields[2] ?? "") && /^\d{4}$/.test(fields[4] ?? "")) day = Date.UTC(Number(fields[4]), Number(fields[3]) - 1, Number(fields[2])) / 1000;
  const posix = day + Number(tm[1]) * 3600 + Number(tm[2]) * 60 + Number(tm[3]);
  return retimeNmea(text, labelForPosix(posix + deltaS));
}

/** NAV messages whose iTOW sits at offset 0 (all of class 0x01), and where each has a week and a UTC date-time. */
const UBX_WEEK_AT: Record<number, number> = { 0x0120: 8, 0x0106: 8 };
const UBX_UTC_AT: Record<number, number> = { 0x0107: 4, 0x0121: 12 };
const TIM_TP = 0x0d01;

/** NAV-PVT's and NAV-TIMEUTC's year U2, month, day, hour, min, sec U1. */
function writeUtc(p: Buffer, at: number, l: UtcLabel): void {
  p.writeUInt16LE(l.date.year, at);
  p.writeUInt8(l.date.month, at + 2);
  p.writeUInt8(l.date.day, at + 3);
  p.writeUInt8(l.hour, at + 4);
  p.writeUInt8(l.minute, at + 5);
  p.writeUInt8(l.second, at + 6);
}

/** A whole UBX frame (sync to checksum) set to `label`; messages without time are returned unchanged. */
export function retimeUbx(frame: Buffer, label: UtcLabel): Buffer {
  const key = (frame[2]! << 8) | frame[3]!;
  const p = Buffer.from(frame.subarray(6, frame.length - 2));
  const week = Math.floor(label.gpsS / WEEK_S);
  const towMs = (label.gpsS - week * WEEK_S) * 1000;
  if (frame[2] === 0x01 && p.length >= 4) p.writeUInt32LE(towMs + (p.readUInt32LE(0) % 1000), 0);
  const weekAt = UBX_WEEK_AT[key];
  if (weekAt !== undefined && p.length >= weekAt + 2) p.writeInt16LE(week, weekAt);
  const utcAt = UBX_UTC_AT[key];
  if (utcAt !== undefined && p.length >= utcAt + 7) writeUtc(p, utcAt, label);
  if (key === TIM_TP && p.length >= 14) {
    // TIM-TP describes the *next* pulse.
    p.writeUInt32LE(((towMs / 1000 + 1) % WEEK_S) * 1000, 0);
    p.writeUInt16LE(week + (towMs / 1000 + 1 === WEEK_S ? 1 : 0), 12);
  }
  return encodeUbx(frame[2]!, frame[3]!, p);
}

/** A whole UBX frame moved by deltaS seconds, field by field, checksum recomputed. */
export function shiftUbx(frame: Buffer, deltaS: number): Buffer {
  const key = (frame[2]! << 8) | frame[3]!;
  const p = Buffer.from(frame.subarray(6, frame.length - 2));
  const moveTow = (towAt: number, weekAt: number | undefined): void => {
    if (p.length < towAt + 4) return;
    const moved = p.readUInt32LE(towAt) + deltaS * 1000;
    const weeks = Math.floor(moved / WEEK_MS);
    p.writeUInt32LE(moved - weeks * WEEK_MS, towAt);
    if (weekAt !== undefined && p.length >= weekAt + 2) p.writeInt16LE(p.readInt16LE(weekAt) + weeks, weekAt);
  };
  if (frame[2] === 0x01) moveTow(0, UBX_WEEK_AT[key]);
  if (key === TIM_TP) moveTow(0, 12);
  const utcAt = UBX_UTC_AT[key];
  if (utcAt !== undefined && p.length >= utcAt + 7 && p.readUInt16LE(utcAt) >= 1980) {
    const posix = Date.UTC(p.readUInt16LE(utcAt), p[utcAt + 2]! - 1, p[utcAt + 3]!, p[utcAt + 4]!, p[utcAt + 5]!, Math.min(p[utcAt + 6]!, 59)) / 1000;
    writeUtc(p, utcAt, labelForPosix(posix + deltaS));
  }
  return encodeUbx(frame[2]!, frame[3]!, p);
}
