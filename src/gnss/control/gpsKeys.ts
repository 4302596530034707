/*
 * The stratum1.conf keys of receiver control: what the box may change on the
 * receiver, and the thresholds of the receiver's health alarms. settings()
 * turns them (with a position surveyed earlier) into the ReceiverSettings the
 * planners read.
 */
import { int, intOrOff, type KeySpec, listOf, oneOf } from "../../config/keySpecs.js";
import { NMEA_MSG, type NmeaSentenceName } from "../ubx/messageIds.js";
import { DEFAULT_SETTINGS, type NmeaOutput, type ReceiverSettings, type SurveyedPosition } from "./settings.js";

const NMEA_SENTENCE_NAMES = Object.keys(NMEA_MSG) as NmeaSentenceName[];

/** Metres with up to three decimals (survey accuracy). */
const metres = (doc: string, def: number, min: number, max: number): KeySpec<number> => ({
  doc,
  default: def,
  values: `metres from ${min} to ${max} (up to 3 decimals)`,
  parse: (raw) => {
    if (!/^\d+(\.\d{1,3})?$/.test(raw)) return { ok: false, fix: `give metres like 2 or 0.5, from ${min} to ${max}` };
    const n = Number(raw);
    return n < min || n > max ? { ok: false, fix: `give metres from ${min} to ${max}` } : { ok: true, value: n };
  },
});

/** NMEA sentences to keep, each optionally every n-th fix: "RMC,GGA,GSV/5". */
const sentences = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: `sentences from ${NMEA_SENTENCE_NAMES.join(", ")}, comma-separated, each optionally /N (every N-th fix); RMC must be among them`,
  parse: (raw) => {
    const parsed = parseSentences(raw);
    return typeof parsed === "string" ? { ok: false, fix: parsed } : { ok: true, value: listOf(raw).join(",") };
  },
});

/** The sentence list, or what is wrong with it. */
export function parseSentences(raw: string): NmeaOutput[] | string {
  const out: NmeaOutput[] = [];
  for (const item of listOf(raw)) {
    const m = /^([A-Z]{3})(?:\/(\d{1,2}))?$/.exec(item);
    if (!m || !(NMEA_SENTENCE_NAMES as readonly string[]).includes(m[1]!)) return `'${item}' is not one of ${NMEA_SENTENCE_NAMES.join(", ")} (optionally /N)`;
    out.push({ sentence: m[1] as NmeaSentenceName, every: m[2] ? Math.max(1, Number(m[2])) : 1 });
  }
  // RMC carries the date and the receiver's verdict on its time: without it the NMEA path has no time at all.
  if (!out.some((o) => o.sentence === "RMC")) return "keep RMC: it carries the date and the receiver's own verdict on its time";
  return out;
}

export const GPS_KEYS = {
  "serial.target-baud": intOrOff(
    "once the receiver is found, move it to this rate (in its RAM) so each second's messages arrive sooner: at 9600 baud a u-blox timing setup's heaviest second takes 0.8 s to send, at 115200 under 0.1 s (u-blox and MediaTek; the box follows, and finds it there again after its own restart); or 'off' to leave its rate alone",
    115200,
    4800,
    921600,
  ),
  "gps.configure": oneOf(
    "identify the receiver and configure it for timing (u-blox M8/M9/F9/M10: messages, time pulse, survey-in or stationary model; MediaTek: sentences, pulse), in its RAM, again at every start; 'off': identify and listen only, for a receiver set up by hand",
    "on",
    ["on", "off"] as const,
  ),
  "gps.nmea": sentences("the NMEA sentences the box asks the receiver for (all others off: less to send before the time arrives); MediaTek also keeps GSA and GSV/5 for the sky view", "RMC,GGA"),
  "gps.pulse-width": int("the time pulse's length while locked, ms (no pulse without a fix)", 100, 1, 900),
  "gps.cable-delay": int("antenna cable delay the receiver compensates, ns (about 5 ns per metre of RG-58; u-blox's default is 50)", 50, 0, 100_000),
  "gps.survey-time": int("timing receivers (M8T, F9T, LEA-M8F): survey-in for at least this many seconds before holding the position", 3600, 60, 604_800),
  "gps.survey-accuracy": metres("timing receivers: and until the surveyed position is this good", 2, 0.1, 100),
  "gps.jamming-level": intOrOff(
    "alarm when the receiver's CW jamming indicator (u-blox MON-HW/MON-RF jamInd, 0-255) stays at or above this, besides its own 'critical' verdict; or 'off'",
    150,
    1,
    255,
  ),
  "gps.spoofing-alarm": oneOf("alarm when the receiver's spoofing detector (u-blox NAV-STATUS) indicates spoofing", "on", ["on", "off"] as const),
  "gps.network-limit": intOrOff("alarm (GNSS DISAGREES) when chrony's network servers put the pulse further off than this, ms (spoofing, a wrong second, a bad antenna); or 'off'", 50, 1, 10_000),
} as const;

type GpsKeyValues = { -readonly [K in keyof typeof GPS_KEYS]: (typeof GPS_KEYS)[K] extends KeySpec<infer T> ? T : never };

/** The settings receiver control works from: the keys, plus a position surveyed earlier. */
export function receiverSettings(c: GpsKeyValues, fixedPosition: SurveyedPosition | undefined): ReceiverSettings {
  const nmea = parseSentences(c["gps.nmea"]);
  return {
    configure: c["gps.configure"] === "on",
    nmea: typeof nmea === "string" ? DEFAULT_SETTINGS.nmea : nmea,
    pulse: { widthMs: c["gps.pulse-width"], cableDelayNs: c["gps.cable-delay"] },
    survey: { minDurationS: c["gps.survey-time"], accuracyLimitM: c["gps.survey-accuracy"] },
    fixedPosition,
    persist: "ram",
    targetBaud: c["serial.target-baud"] ?? undefined,
  };
}
