/*
 * serial bytes ─► framer ─► decoder ─► epoch assembler ─► time gate ─► sinks
 * The same chain serves the live UART, the pty simulation and offline replay
 * of captures: only the byte source and the clock differ. Every drop on the
 * way is a named counter in Health and, once, a log line.
 */
import { Framer } from "../gnss/framer.js";
import type { LineRun } from "../hal/lineRun.js";
import type { Frame, FramingReject } from "../gnss/frame.js";
import type { Epoch } from "../gnss/epoch.js";
import { EpochAssembler, MAX_EPOCH_SATELLITES } from "../gnss/epochAssembler.js";
import { decodeNmea } from "../gnss/nmea/decodeNmea.js";
import { checksumFault } from "../gnss/nmea/sentence.js";
import { isGsv, SkySampler } from "../gnss/skySampler.js";
import type { AntennaState, Decoded, InterferenceReport, SatelliteReport, TimeOfDay } from "../gnss/report.js";
import { decodeUbx } from "../gnss/ubx/decodeUbx.js";
import type { Logger } from "../log/logger.js";
import { ReasonReporter, TransitionReporter } from "../log/reasonReporter.js";
import type { RefclockSink } from "../refclock/sink.js";
import { bump, type Health } from "../status/health.js";
import type { TimeSample } from "../timing/sample.js";
import { sampleOffsetS } from "../timing/sample.js";
import { instantFromUs, instantToUs } from "../hal/instant.js";
import { TimeGate, type GateVerdict } from "../timing/timeGate.js";
import { LeapWatch } from "../timing/leapWatch.js";
import { isoSecond, posixSeconds } from "../timing/utc.js";
import { UtcTrust } from "../timing/utcTrust.js";
import { QErrBook } from "../timing/qErrBook.js";
import type { ReceiverTraffic } from "../gnss/control/receiverTraffic.js";

const INPUT_HINTS: Record<string, string> = {
  "garbage-bytes": "bytes that are neither NMEA nor UBX: wrong baud rate (serial.baud; u-blox M8 9600, M9/F9/M10 38400) or a noisy line",
  "line-too-long": "a line longer than 256 bytes without newline: wrong baud rate or a corrupted stream",
  "line-truncated": "a sentence cut short by the next one: bytes lost on the line (overrun, loose wire)",
  "line-binary": "binary bytes inside a sentence: noise or a wrong baud rate",
  "bad-checksum": "corrupted sentence, discarded: noise on the line, check wiring and baud rate",
  "missing-checksum": "sentence without checksum, discarded: enable checksums on the receiver",
  "malformed-sentence": "fields could not be decoded; the sentence was discarded",
  "bad-time-field": "unreadable time field; the sentence was discarded",
  "bad-date-field": "unreadable date field; the sentence was discarded",
  "ubx-bad-checksum": "corrupted UBX frame, discarded",
  "ubx-bad-length": "impossible UBX length: false sync in noise",
  "ubx-bad-payload": "UBX message of an unexpected size: receiver firmware too old or too new for this decoder",
};

/**
 * A receiver reporting several times a second (5 Hz, 10 Hz) is labelled from
 * its whole-second epoch. It is known by epochs less than FAST_GAP_US apart in
 * its own time (2 Hz is 500 ms; a 1 Hz Telit dating epochs .099 and .42
 * alternately is 680 ms); once seen so, for FAST_KEEP_US, an epoch farther than
 * SUB_SECOND_US from a whole second is one of its sub-second epochs (u-blox's
 * 23.999807 for second 24 is not). A 1 Hz receiver whose epochs carry a
 * fraction (a Telit's 00:02:31.42) keeps every epoch.
 */
const SUB_SECOND_US = 50_000;
const FAST_GAP_US = 600_000;
const FAST_KEEP_US = 10_000_000;
const DAY_US = 86_400e6;
const todUs = (t: TimeOfDay): number => ((t.hour * 60 + t.minute) * 60 + t.second) * 1e6 + t.micros;

/**
 * A GSV between sky samples (gnss/skySampler.ts): checksummed, its fields not read. It is still a
 * report of the burst, with nothing in it, so the epoch is shaped as if it had been decoded: at 9600
 * baud a u-blox's GSV take half a second, and without them the sentences after them would come after
 * a quiet gap and open an epoch of their own.
 */
function unsampledGsv(text: string, xor: number | undefined): Decoded {
  return checksumFault(text, xor) ?? { ok: true, report: { source: text.slice(1, 6) } };
}

/** A constellation not listed for this long is gone from the sky table (antenna lost, constellation disabled). */
const SKY_KEEP_US = 10_000_000;

const countBySystem = (sats: readonly SatelliteReport[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of sats) out[x.system] = (out[x.system] ?? 0) + 1;
  return out;
};

export interface PipelineOptions {
  floorS: number;
  settleEpochs: number;
  nowUs: () => number;
  /**
   * Learned delay from the moment an epoch names to its first byte, µs (the
   * pulse associator's measurement), so NMEA samples carry the moment of the
   * pulse rather than of the serial bytes; undefined while not known.
   */
  arrivalDelayUs?: () => number | undefined;
  /** Seconds an NMEA receiver's UTC is held off after a cold start (time.utc-holdoff); 0: never. */
  utcHoldoffS?: number;
  /** Whether the host clock is verified and agrees with an epoch of this second read at rxUs (ends a hold-off early). */
  verifiedClockAgrees?: (utcS: number, rxUs: number) => boolean;
  /** The framer's copy loop, natively where the hardware has one (gnss/lineRun.ts). */
  lineRun?: LineRun;
  /** GSV decoded in one run every this many µs (gnss/skySampler.ts); 0 or absent: every one. */
  skySampleUs?: number;
}

export class TimePipeline {
  private readonly framer: Framer;
  private readonly sky: SkySampler;
  private readonly assembler: EpochAssembler;
  private readonly gate: TimeGate;
  /** Whether the receiver's UTC may be used yet (hold-off after a cold start). */
  readonly utcTrust: UtcTrust;
  /** Leap seconds the receiver announces. */
  readonly leap = new LeapWatch();
  private readonly reporter: ReasonReporter;
  private readonly transitions: TransitionReporter;
  /** The last epoch's time of day (µs), and until when the receiver counts as reporting faster than once a second. */
  private lastTod: number | undefined;
  private fastUntilUs = -Infinity;
  private readonly arrivalDelayUs: () => number | undefined;
  /** Observers of each verdict (tests, the bench, the PPS associator). */
  readonly verdictListeners: Array<(v: GateVerdict, epoch: Epoch) => void> = [];
  /** Receiver control hears every frame and dropped run the time path does (src/gnss/control/). */
  traffic: ReceiverTraffic | undefined;
  /** TIM-TP's quantisation error, filed under the second of the pulse it describes. */
  readonly qErr = new QErrBook();

  constructor(
    private readonly health: Health,
    private readonly sinks: readonly RefclockSink[],
    private readonly log: Logger,
    opts: PipelineOptions,
  ) {
    this.sky = new SkySampler(opts.skySampleUs ?? 0);
    this.reporter = new ReasonReporter(log, INPUT_HINTS);
    this.transitions = new TransitionReporter(log, opts.nowUs);
    this.arrivalDelayUs = opts.arrivalDelayUs ?? (() => undefined);
    this.utcTrust = new UtcTrust({ holdoffS: opts.utcHoldoffS ?? 0, verifiedClockAgrees: opts.verifiedClockAgrees ?? (() => false) });
    this.gate = new TimeGate({ floorS: opts.floorS, settleEpochs: opts.settleEpochs, nowUs: opts.nowUs, utcTrust: this.utcTrust, leapFor: (s) => this.leap.leapFor(s) });
    this.framer = new Framer(
      {
        frame: (f) => this.onFrame(f),
        reject: (reason: FramingReject, bytes: number) => {
          bump(health.framing, reason);
          this.reporter.report(reason, `${bytes} bytes dropped`);
          this.traffic?.dropped(reason, bytes);
        },
      },
      opts.lineRun,
    );
    this.assembler = new EpochAssembler({
      timeReady: (e) => this.decide(e),
      closed: (e, decided) => this.onClosed(e, decided),
    });
  }

  /** Bytes from the source, stamped on arrival. */
  push(chunk: Buffer, rxUs: number): void {
    this.health.counts.bytes += chunk.length;
    this.health.last.bytesUs = rxUs;
    this.framer.push(chunk, rxUs);
  }

  /** The device went away: drop partial input and make the receiver prove itself again. */
  deviceLost(): void {
    this.utcTrust.reset();
    this.sky.reset();
    this.framer.reset();
    this.assembler.flush();
    this.gate.reset();
  }

  /** The system clock was stepped: the epoch being read has stamps from both sides, and the receiver's progress against the clock must be measured afresh. */
  clockStepped(): void {
    this.framer.reset();
    this.assembler.flush();
    this.gate.reset();
  }

  /** Closes the open epoch when the line has gone quiet (called from the owner's timer). */
  idle(nowUs: number, quietUs: number): void {
    if (this.assembler.lastReportRxUs > 0 && nowUs - this.assembler.lastReportRxUs > quietUs) this.assembler.flush();
  }

  flushReports(intervalS: number): void {
    this.reporter.flush(intervalS);
    this.transitions.flush(intervalS);
  }

  private onFrame(f: Frame): void {
    let result: Decoded;
    if (f.kind === "nmea") {
      this.health.counts.nmeaSentences += 1;
      result = isGsv(f.text) && !this.sky.wants(f.rxUs) ? unsampledGsv(f.text, f.xor) : decodeNmea(f.text, f.xor);
    } else {
      this.health.counts.ubxFrames += 1;
      result = decodeUbx(f.msgClass, f.msgId, f.payload);
    }
    this.traffic?.frame(f, result);
    if (!result.ok) {
      if (result.reason === "unsupported-sentence") {
        this.health.countUnsupported(result.detail);
        return;
      }
      bump(this.health.decode, result.reason);
      this.reporter.report(result.reason, result.detail);
      return;
    }
    this.health.counts.reports += 1;
    this.health.last.reportUs = f.rxUs;
    if (result.report.text !== undefined) this.log.info(`receiver says: ${result.report.text}`);
    if (result.report.antenna) this.setAntenna(result.report.antenna, result.report.source, f.rxUs);
    const r = result.report;
    if (r.interference) this.setJamming(r.interference, r.source, f.rxUs);
    if (r.receiver) this.health.receiver = { ...this.health.receiver, ...r.receiver, source: r.source };
    if (r.spoofing) this.health.spoofing = { state: r.spoofing, source: r.source, atUs: f.rxUs };
    if (r.timePulse) this.qErr.announce(r.timePulse, this.leap.gpsMinusUtcS ?? r.leapSeconds);
    // A reply to receiver control (ACK, NAK, a polled setting) says nothing about the epoch it arrives in.
    if (r.control && !r.timeOfDay && r.gpsTowMs === undefined) return;
    this.assembler.add(r, f.rxUs);
  }

  private setAntenna(state: AntennaState, source: string, atUs: number): void {
    const was = this.health.antenna;
    if (was?.state === state) return;
    this.health.antenna = { state, source, sinceUs: atUs };
    if (state === "open") this.log.warn(`antenna: open circuit (${source}): cable unplugged or cut, or a passive antenna on an active-antenna input`);
    else if (state === "short") this.log.warn(`antenna: short circuit (${source}): damaged cable or connector; the receiver has cut the antenna supply`);
    else if (was) this.log.info(`antenna: ${state} (${source}, was ${was.state})`);
  }

  private setJamming(r: InterferenceReport, source: string, atUs: number): void {
    const was = this.health.jamming;
    this.health.jamming = { state: r.jamming, indicator: r.jamIndicator, source, sinceUs: was?.state === r.jamming ? was.sinceUs : atUs };
    if (was?.state === r.jamming) return;
    if (r.jamming === "warning" || r.jamming === "critical") this.log.warn(`receiver: jamming ${r.jamming} (${source}, CW indicator ${r.jamIndicator}/255): an interferer near the antenna`);
    else if (was) this.log.info(`receiver: jamming ${r.jamming} (${source}, was ${was.state})`);
  }

  private onClosed(e: Epoch, decided: boolean): void {
    this.health.counts.epochs += 1;
    // An epoch that lacks a figure (receivers send GSV every few seconds, a capture starts mid-epoch) keeps the last one given.
    const prev = this.health.fix;
    // A UBX-only receiver has no GSV counts: its NAV-SAT list says how many are in view and used.
    const navSat = e.satellitesComplete ? e.satellites : undefined;
    this.health.fix = {
      mode: e.fixMode ?? prev.mode,
      satellitesUsed: e.satellitesUsed ?? navSat?.filter((x) => x.used).length ?? prev.satellitesUsed,
      satellitesSeen: Object.keys(e.satellitesSeen).length > 0 ? { ...e.satellitesSeen } : navSat ? countBySystem(navSat) : prev.satellitesSeen,
    };
    this.keepSky(e);
    this.utcTrust.heard(e);
    // An epoch that never completed (no date, no fix state) still gets a verdict, so it is counted and explained.
    if (!decided && (e.timeOfDay || e.date)) this.decide(e);
    else if (!decided) this.utcTrust.observe(e);
    if (e.leapSecond && e.date && e.timeOfDay) this.leap.observe(e.leapSecond, Math.round(posixSeconds(e.date, e.timeOfDay) + e.timeOfDay.micros / 1e6));
  }

  /**
   * Like the counts above, what the epoch did not report stays as last given:
   * many receivers send GSV every few seconds, some one constellation per
   * second. A constellation's satellites are replaced when it is listed
   * again, and dropped when it has not been for SKY_KEEP_US. NAV-SAT lists
   * every constellation at once.
   */
  private keepSky(e: Epoch): void {
    const h = this.health;
    if (e.satellites.length > 0) {
      const used = e.used.length > 0 || e.satellitesComplete ? e.used : (h.sky?.used ?? []);
      const source = e.satellitesComplete ? "UBX-NAV-SAT" : used.length > 0 ? "GSV+GSA" : "GSV";
      const listed = new Set<string>(e.satellites.map((x) => x.system));
      const listedAtUs: Record<string, number> = {};
      let kept: SatelliteReport[] = [];
      if (!e.satellitesComplete && h.sky && h.sky.source !== "UBX-NAV-SAT") {
        for (const [system, at] of Object.entries(h.sky.listedAtUs)) if (!listed.has(system) && e.startRxUs - at < SKY_KEEP_US) listedAtUs[system] = at;
        kept = h.sky.satellites.filter((x) => listedAtUs[x.system] !== undefined);
      }
      for (const system of listed) listedAtUs[system] = e.startRxUs;
      h.sky = { satellites: [...e.satellites, ...kept].slice(0, MAX_EPOCH_SATELLITES), used, source, atUs: e.startRxUs, listedAtUs };
    } else if (e.used.length > 0 && h.sky && h.sky.source !== "UBX-NAV-SAT") {
      h.sky = { ...h.sky, used: e.used, source: "GSV+GSA" };
    }
    if (e.dop) h.dop = e.dop;
    if (e.position) h.position = e.position;
    else if (e.fixMode === "none") h.position = undefined;
  }

  private decide(e: Epoch): void {
    this.utcTrust.observe(e);
    // A receiver reporting several times a second is labelled from its whole-second epoch; the others only tell its health.
    if (e.timeOfDay && this.isSubSecondEpoch(e.timeOfDay, e.startRxUs)) {
      this.health.counts.subSecondEpochs += 1;
      return;
    }
    const verdict = this.gate.judge(e);
    if (this.utcTrust.ended) {
      this.log.info(`time: UTC hold-off over: ${this.utcTrust.ended}`);
      this.utcTrust.ended = undefined;
    }
    if (verdict.ok) {
      this.deliver(verdict.sample);
      this.setTimeState("ok", `labelled ${isoSecond(verdict.sample.utcSecond)} from ${e.timeSource}`, e.startRxUs);
    } else {
      bump(this.health.gate, verdict.reason);
      if (verdict.utcSecond !== undefined) this.health.last.utcSecond = verdict.utcSecond;
      this.setTimeState(verdict.reason, verdict.detail, e.startRxUs);
    }
    for (const l of this.verdictListeners) l(verdict, e);
  }

  private isSubSecondEpoch(t: TimeOfDay, rxUs: number): boolean {
    const tod = todUs(t);
    const prev = this.lastTod;
    this.lastTod = tod;
    if (prev !== undefined) {
      const gap = Math.abs(tod - prev);
      if (Math.min(gap, DAY_US - gap) < FAST_GAP_US) this.fastUntilUs = rxUs + FAST_KEEP_US;
    }
    return rxUs < this.fastUntilUs && Math.min(t.micros, 1e6 - t.micros) > SUB_SECOND_US;
  }

  private deliver(gated: TimeSample): void {
    const delayUs = this.arrivalDelayUs();
    const sample = delayUs === undefined ? gated : { ...gated, local: instantFromUs(instantToUs(gated.local) - delayUs) };
    this.health.counts.samples += 1;
    this.health.last = { ...this.health.last, utcSecond: sample.utcSecond, sampleLocalUs: instantToUs(sample.local), offsetS: sampleOffsetS(sample) };
    for (const sink of this.sinks) sink.deliver(sample);
  }

  private setTimeState(state: Health["time"]["state"], detail: string, atUs: number): void {
    const t = this.health.time;
    if (t.state === state) return;
    this.health.time = { state, detail, sinceUs: atUs };
    this.transitions.report(state, `time: ${state}: ${detail}`, state === "ok" || state === "settling" ? "info" : "warning", atUs - t.sinceUs);
  }
}
