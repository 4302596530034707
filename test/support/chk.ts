/*
 * Reading gpsd's regression material (a capture X.log and gpsd's own decode of
 * it, X.log.chk) and replaying a capture through the product's real time
 * pipeline offline, paced like a receiver.
 */
import { CollectingSink } from "./offline.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Epoch } from "../../src/gnss/epoch.js";
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import { createLogger } from "../../src/log/logger.js";
import { TimePipeline } from "../../src/pipeline/timePipeline.js";
import { stripComments } from "../../sim/replay/captureEpochs.js";
import { Health } from "../../src/status/health.js";
import type { TimeSample } from "../../src/timing/sample.js";
import type { GateVerdict } from "../../src/timing/timeGate.js";
import { posixSeconds } from "../../src/timing/utc.js";
import { capturesDir } from "../../sim/replay/captures.js";

export { capturesDir };

/** Every X.log in the captures folder, sorted. */
export function captureNames(): string[] {
  return readdirSync(capturesDir())
    .filter((n) => n.endsWith(".log"))
    .sort();
}

export const readCaptureFile = (name: string): Buffer => readFileSync(join(capturesDir(), name));

export interface GpsdTpv {
  /** gpsd's "time" field as printed (UTC, millisecond resolution). */
  time: string;
  /** floor(time), POSIX seconds. */
  second: number;
  /** gpsd's fix mode: 0 unknown, 1 no fix, 2 2D, 3 3D. */
  mode: number;
}

/** The TPV reports of a .chk file that carry a "time" field: gpsd's decoded epochs. */
export function gpsdTpvs(chkText: string): GpsdTpv[] {
  const out: GpsdTpv[] = [];
  for (const line of chkText.split("\n")) {
    if (!line.startsWith("{")) continue;
    const o = JSON.parse(line) as { class?: string; time?: string; mode?: number };
    if (o.class !== "TPV" || typeof o.time !== "string") continue;
    const ms = Date.parse(o.time);
    if (!Number.isFinite(ms)) throw new Error(`unparseable gpsd time ${o.time}`);
    out.push({ time: o.time, second: Math.floor(ms / 1000), mode: o.mode ?? 0 });
  }
  return out;
}

/**
 * The submitter's "# Date:" header (one capture writes "# Date = ..."), as
 * midnight UTC in POSIX seconds. Dates are written loosely ("2019-3-14",
 * "2021-02-23T", even "2025-07-32"): y-m-d is read and Date.UTC carries an
 * out-of-range day into the next month, a one-day shift at most.
 */
export function headerDateS(capture: Buffer): number {
  const header = capture
    .toString("latin1")
    .split("\n")
    .filter((l) => l.startsWith("#"))
    .join("\n");
  const m = /^#\s*Date\s*[:=]\s*(\d{4})-(\d{1,2})-(\d{1,2})/m.exec(header);
  if (!m) throw new Error("capture has no '# Date:' header line");
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
}

/** One epoch as the pipeline judged it (every epoch with a time or a date gets one). */
export interface JudgedEpoch {
  verdict: GateVerdict;
  epoch: Epoch;
  /** Date + time of day of the epoch in POSIX µs, whether or not the gate trusted it; undefined without a date. */
  utcUs?: number;
  /** Which paced receiver burst the epoch started in. */
  burst: number;
}

export interface ReplayResult {
  judged: JudgedEpoch[];
  samples: TimeSample[];
  health: Health;
  log: string[];
  /** Receiver bursts the capture was paced into. */
  bursts: number;
  /** Local-clock step between bursts (µs). */
  intervalUs: number;
}

export interface ReplayOptions {
  /** Time floor for the gate (POSIX s). */
  floorS: number;
  /** Local clock at the start of the replay (µs); also the gate's host clock. */
  startUs: number;
  /** Read size: a UART read never aligns with frames, so each burst is pushed in reads of this many bytes. */
  chunkBytes: number;
}

/** Local-clock advance per read inside one burst: even 1-byte reads keep a burst far below the assembler's 350 ms quiet gap. */
const PER_READ_US = 10;

/**
 * Replays a capture through a fresh TimePipeline, paced like a receiver.
 *
 * A capture has no timestamps, but the time gate insists that the receiver's
 * second advances with the local clock, so the replay must supply a clock.
 * Receivers send one burst per navigation epoch, right after the second it
 * names, so the capture is cut into bursts (see splitBursts) and burst k's
 * bytes are pushed at local time start + k × interval, where interval is the
 * receiver's output rate read from its own time stamps (1 s, or 0.2 s for a
 * 5 Hz receiver). The bytes pushed are the capture's own, all of them, with
 * the garbage, broken sentences and foreign binary protocols between frames;
 * only the '#' comment lines of the submitter are left out. Each burst goes in
 * reads of `chunkBytes` bytes 10 µs apart. A gap the submitter cut out of a
 * capture becomes a one-interval step, i.e. a time jump, as it would be on a
 * live line. At the end, idle() closes the last epoch as the service's quiet
 * timer would.
 */
export function replayThroughPipeline(capture: Buffer, opts: ReplayOptions): ReplayResult {
  const data = stripComments(capture);
  const { cuts, intervalUs } = splitBursts(data);

  const health = new Health();
  const sink = new CollectingSink();
  const log: string[] = [];
  let nowUs = opts.startUs;
  let burst = 0;
  const pipeline = new TimePipeline(
    health,
    [sink],
    createLogger((line) => log.push(line), "debug"),
    {
      floorS: opts.floorS,
      settleEpochs: 3,
      nowUs: () => nowUs,
    },
  );
  const judged: JudgedEpoch[] = [];
  pipeline.verdictListeners.push((verdict, epoch) => {
    const utcUs = epoch.date && epoch.timeOfDay ? posixSeconds(epoch.date, epoch.timeOfDay) * 1e6 + epoch.timeOfDay.micros : undefined;
    judged.push({
      verdict,
      epoch: { ...epoch, sources: [...epoch.sources], satellitesSeen: { ...epoch.satellitesSeen } },
      ...(utcUs !== undefined ? { utcUs } : {}),
      burst: Math.round((epoch.startRxUs - opts.startUs) / intervalUs),
    });
  });

  let from = 0;
  for (const to of [...cuts, data.length]) {
    nowUs = opts.startUs + burst * intervalUs;
    for (let at = from; at < to; at += opts.chunkBytes) {
      pipeline.push(data.subarray(at, Math.min(at + opts.chunkBytes, to)), nowUs);
      nowUs += PER_READ_US;
    }
    from = to;
    burst += 1;
  }
  nowUs += 2e6;
  pipeline.idle(nowUs, 1e6);
  return { judged, samples: sink.samples, health, log, bursts: cuts.length, intervalUs };
}

/** Pushes the whole file as it is, comment lines included, in reads of `chunkBytes`, 1 ms apart: survival and byte accounting only. */
export function pushRaw(capture: Buffer, opts: ReplayOptions): Health {
  const health = new Health();
  let nowUs = opts.startUs;
  const pipeline = new TimePipeline(
    health,
    [new CollectingSink()],
    createLogger(() => undefined, "debug"),
    {
      floorS: opts.floorS,
      settleEpochs: 3,
      nowUs: () => nowUs,
    },
  );
  for (let at = 0; at < capture.length; at += opts.chunkBytes) {
    pipeline.push(capture.subarray(at, at + opts.chunkBytes), nowUs);
    nowUs += 1000;
  }
  pipeline.idle(nowUs + 1e6, 0);
  pipeline.deviceLost();
  pipeline.flushReports(0);
  return health;
}

/** Sentences a receiver sends once per navigation epoch and talker (GSA, GSV, TXT may come several times). */
const ONCE_PER_EPOCH = new Set(["RMC", "GGA", "GLL", "GNS", "ZDA"]);
/** Where the time of day sits among an NMEA sentence's fields. */
const NMEA_TIME_FIELD: Record<string, number> = { RMC: 0, GGA: 0, GNS: 0, ZDA: 0, GLL: 4 };
const GPS_EPOCH_S = 315964800; // 1980-01-06T00:00:00Z
const DAY_S = 86_400;

/**
 * The epoch a time of day (s since midnight, fractional) names, in 10 ms
 * steps: NMEA prints 10 ms or coarser, while u-blox UBX messages carry
 * nanoseconds including the receiver's clock bias (NAV-PVT 22.000256 and
 * GNRMC 22.00 are one navigation epoch).
 */
const epochKey = (todS: number): number => Math.round(todS * 100) % (DAY_S * 100);

/**
 * The time of day a frame names (s since midnight), read here rather than
 * through the product's decoders so that a decoder that mislabels the time
 * cannot also move the replay's burst boundaries. NMEA: the time field of a
 * sentence with a correct checksum. UBX: NAV-PVT and NAV-TIMEUTC as printed
 * (plus nano, which may be negative), NAV-TIMEGPS as GPS time − leap seconds.
 */
function frameTodS(f: Frame): number | undefined {
  if (f.kind === "nmea") {
    const m = /^[$!]([A-Z0-9]{5}),(.*)\*([0-9A-Fa-f]{2})$/.exec(f.text);
    if (!m) return undefined;
    let x = 0;
    for (const ch of f.text.slice(1, f.text.lastIndexOf("*"))) x ^= ch.charCodeAt(0);
    const index = NMEA_TIME_FIELD[m[1]!.slice(2)];
    if (x !== parseInt(m[3]!, 16) || index === undefined) return undefined;
    const t = /^(\d\d)(\d\d)(\d\d(?:\.\d+)?)$/.exec(m[2]!.split(",")[index] ?? "");
    return t ? Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3]) : undefined;
  }
  const p = f.payload;
  if (f.msgClass !== 0x01) return undefined;
  if (f.msgId === 0x07 && p.length >= 84) return p.readUInt8(8) * 3600 + p.readUInt8(9) * 60 + p.readUInt8(10) + p.readInt32LE(16) / 1e9;
  if (f.msgId === 0x21 && p.length === 20) return p.readUInt8(16) * 3600 + p.readUInt8(17) * 60 + p.readUInt8(18) + p.readInt32LE(8) / 1e9;
  if (f.msgId === 0x20 && p.length === 16) {
    const gpsS = p.readUInt32LE(0) / 1e3 + p.readInt32LE(4) / 1e9 - p.readInt8(10);
    return ((gpsS % DAY_S) + DAY_S) % DAY_S; // a GPS week starts at midnight, so this is the UTC time of day
  }
  return undefined;
}

/** iTOW of a UBX NAV message (class 0x01 messages carry it first). */
const frameTow = (f: Frame): number | undefined => (f.kind === "ubx" && f.msgClass === 0x01 && f.payload.length >= 4 ? f.payload.readUInt32LE(0) : undefined);

interface FrameInfo {
  /** Offset just past the byte that completed the frame, where the pipeline's framer emits it. */
  end: number;
  key?: number;
  tow?: number;
  /** NMEA address ("GPRMC") of a once-per-epoch sentence. */
  once?: string;
}

/**
 * Cuts a (comment-stripped) capture into receiver bursts, with the
 * product's framer to find frames. A frame opens a new burst when
 *  - it is a UBX NAV message of another iTOW than the burst's;
 *  - its time (to 10 ms) names another epoch than the burst's, a UBX NAV
 *    message without a UTC time (NAV-SOL, NAV-STATUS, ...) taking the time a
 *    NAV-PVT/TIMEUTC/TIMEGPS of the same iTOW gives;
 *  - it is a second RMC/GGA/GLL/GNS/ZDA from the same talker (a sentence
 *    whose time field is empty or corrupt still marks the next second).
 * Frames without any time (GSV, GSA, TXT, undecodable ones) stay in the
 * burst they follow. Cuts fall right after each burst's last frame, so the
 * noise between frames travels with the following burst.
 */
export function splitBursts(data: Buffer): { cuts: number[]; intervalUs: number } {
  const frames: FrameInfo[] = [];
  let offset = 0;
  const framer = new Framer({
    frame: (f) => {
      const info: FrameInfo = { end: offset + 1 };
      const tod = frameTodS(f);
      if (tod !== undefined) info.key = epochKey(tod);
      const tow = frameTow(f);
      if (tow !== undefined) info.tow = tow;
      const address = f.kind === "nmea" ? /^[$!]([A-Z0-9]{5}),/.exec(f.text)?.[1] : undefined;
      if (address && ONCE_PER_EPOCH.has(address.slice(2))) info.once = address;
      frames.push(info);
    },
    reject: () => undefined,
  });
  // One byte per push, so that `offset` is the position of the byte completing each frame.
  for (offset = 0; offset < data.length; offset++) framer.push(data.subarray(offset, offset + 1), 0);

  const keyOfTow = new Map<number, number>();
  for (const f of frames) if (f.tow !== undefined && f.key !== undefined && !keyOfTow.has(f.tow)) keyOfTow.set(f.tow, f.key);

  const cuts: number[] = [];
  const keys: Array<number | undefined> = [];
  let cur: { key?: number; tow?: number; once: Set<string>; lastEnd: number } | undefined;
  for (const f of frames) {
    const key = f.tow !== undefined ? keyOfTow.get(f.tow) : f.key;
    const opens =
      cur !== undefined &&
      (f.tow !== undefined && cur.tow !== undefined ? f.tow !== cur.tow : (key !== undefined && cur.key !== undefined && key !== cur.key) || (f.once !== undefined && cur.once.has(f.once)));
    if (!cur || opens) {
      if (cur) {
        cuts.push(cur.lastEnd);
        keys.push(cur.key);
      }
      cur = { once: new Set(), lastEnd: f.end };
    }
    if (key !== undefined && cur.key === undefined) cur.key = key;
    if (f.tow !== undefined && cur.tow === undefined) cur.tow = f.tow;
    if (f.once !== undefined) cur.once.add(f.once);
    cur.lastEnd = f.end;
  }
  if (cur) {
    cuts.push(cur.lastEnd);
    keys.push(cur.key);
  }
  return { cuts, intervalUs: outputIntervalUs(keys) };
}

/**
 * The receiver's output interval: the most frequent step between the times of
 * consecutive bursts that is a whole fraction of a second (1 s for most
 * receivers, 0.2 s for a 5 Hz one), 1 s when there is none.
 */
function outputIntervalUs(keys: Array<number | undefined>): number {
  const counts = new Map<number, number>();
  for (let k = 1; k < keys.length; k++) {
    const a = keys[k - 1];
    const b = keys[k];
    if (a === undefined || b === undefined) continue;
    const step = (b - a) * 1e4; // keys are in 10 ms
    // Receivers run at 1, 2, 5, 10, 20 ... Hz: only steps that divide a second are rates.
    if (step > 0 && step <= 1e6 && 1e6 % step === 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 1e6;
  let bestCount = 0;
  for (const [step, n] of counts) {
    if (n > bestCount || (n === bestCount && step > best)) {
      best = step;
      bestCount = n;
    }
  }
  return best;
}

/** What the capture's UBX navigation messages say, read independently of the product's decoders. */
export interface UbxFacts {
  /** GPS time (POSIX-scaled s, no leap correction) of each NAV-SOL, by iTOW. */
  solGpsS: Map<number, number>;
  /** iTOWs of the messages the product takes UTC from (NAV-PVT, NAV-TIMEUTC, NAV-TIMEGPS). */
  utcTows: Set<number>;
  /** GPS−UTC leap seconds from NAV-TIMEGPS with leapSValid, if the capture has one. */
  leapS?: number;
}

export function ubxFacts(capture: Buffer): UbxFacts {
  const facts: UbxFacts = { solGpsS: new Map(), utcTows: new Set() };
  const framer = new Framer({
    frame: (f) => {
      if (f.kind !== "ubx" || f.msgClass !== 0x01) return;
      const p = f.payload;
      if (f.msgId === 0x06 && p.length === 52) {
        facts.solGpsS.set(p.readUInt32LE(0), GPS_EPOCH_S + p.readInt16LE(8) * 604800 + (p.readUInt32LE(0) * 1e6 + p.readInt32LE(4)) / 1e9);
      } else if ((f.msgId === 0x07 && p.length >= 84) || (f.msgId === 0x21 && p.length === 20) || (f.msgId === 0x20 && p.length === 16)) {
        facts.utcTows.add(p.readUInt32LE(0));
        if (f.msgId === 0x20 && (p.readUInt8(11) & 0b100) !== 0) facts.leapS = p.readInt8(10);
      }
    },
    reject: () => undefined,
  });
  framer.push(stripComments(capture), 0);
  return facts;
}
