/*
 * What the receiver says about itself rather than about the epoch: replies
 * to the host's commands (ACK/NAK, polled settings, PMTK001), the time
 * pulse it is about to give (TIM-TP), its leap-second knowledge
 * (NAV-TIMELS), a survey-in's progress (TIM-SVIN, NAV-SVIN) and its
 * interference and spoofing monitors (MON-HW, MON-RF, NAV-STATUS). They
 * travel in a GnssReport like everything else, so the service's one
 * decoding pipeline carries them to whoever needs them (the receiver
 * configurator, the qErr correction, the alarms).
 */
import type { ConfigLayer, ConfigValue } from "./ubx/cfgVal.js";
import type { MessageRates } from "./ubx/cfgMsg.js";
import type { Nav5Settings } from "./ubx/cfgNav5.js";
import type { PortSettings } from "./ubx/cfgPrt.js";
import type { RateSettings } from "./ubx/cfgRate.js";
import type { TimeMode2Settings } from "./ubx/cfgTmode2.js";
import type { TimeMode3Settings } from "./ubx/cfgTmode3.js";
import type { Tp5Settings } from "./ubx/cfgTp5.js";
import type { UbxMessageId } from "./ubx/messageIds.js";

/** PMTK001 flag: 0 invalid packet, 1 unsupported packet type, 2 valid but action failed, 3 succeeded. */
export type PmtkAckFlag = 0 | 1 | 2 | 3;

export type ControlReply =
  /** UBX-ACK-ACK (accepted) or UBX-ACK-NAK (refused) for one CFG message. */
  | { kind: "ubx-ack"; accepted: boolean; of: UbxMessageId }
  /** MediaTek PMTK001 for one PMTK command. */
  | { kind: "pmtk-ack"; command: number; flag: PmtkAckFlag }
  /** A CFG-VALGET reply: values of one layer. */
  | { kind: "config-values"; layer: ConfigLayer; position: number; values: ConfigValue[] }
  /** Polled legacy configuration (protocol < 27, still answered by Gen9 except M10). */
  | { kind: "cfg-prt"; settings: PortSettings }
  | { kind: "cfg-msg"; rates: MessageRates }
  | { kind: "cfg-rate"; settings: RateSettings }
  | { kind: "cfg-tp5"; settings: Tp5Settings }
  | { kind: "cfg-nav5"; settings: Nav5Settings }
  | { kind: "cfg-tmode2"; settings: TimeMode2Settings }
  | { kind: "cfg-tmode3"; settings: TimeMode3Settings };

/**
 * UBX-TIM-TP: when the *next* pulse will be and how far the hardware will
 * miss it. The time of week is the pairing key: it names the edge this
 * applies to, so it must never be matched to the edge that has just passed.
 */
export interface TimePulseReport {
  /** Time of week of the next pulse, ms, in the time base below. */
  towMs: number;
  /** Sub-millisecond part of that time, ms (towSubMS × 2^-32). */
  towSubMs: number;
  /** Quantisation error of that pulse, ps; undefined when the receiver flags it invalid. */
  qErrPs: number | undefined;
  /** Week number in the time base below. */
  week: number;
  timeBase: "gnss" | "utc";
  /** The receiver knows UTC (its leap-second count is valid). */
  utcAvailable: boolean;
  /** RAIM: 0 not available, 1 not active, 2 active. */
  raim: 0 | 1 | 2 | 3;
}

/** Where a leap-second figure comes from (NAV-TIMELS srcOfCurrLs / srcOfLsChange). */
export type LeapSource = "default" | "gps-glonass-difference" | "gps" | "sbas" | "beidou" | "galileo" | "glonass" | "aided" | "configured" | "navic" | "unknown";

/** UBX-NAV-TIMELS: the receiver's leap-second knowledge and any announced change. */
export interface LeapSecondReport {
  /** GPS − UTC now, s; undefined until the receiver says it is valid. */
  currentLs: number | undefined;
  currentSource: LeapSource;
  /** The announced change (+1 insert, −1 delete, 0 none); undefined when no source has said. */
  change: number | undefined;
  changeSource: LeapSource | "none";
  /** Seconds from now to the event (negative after it); undefined when not valid. */
  secondsToEvent: number | undefined;
  /** GPS week and day (1..7) of the event's end, when announced. */
  eventGpsWeek: number | undefined;
  eventGpsDay: number | undefined;
}

/** A survey-in as TIM-SVIN (M8T, TMODE2) or NAV-SVIN (Gen9, TMODE3) reports it. */
export interface SurveyInReport {
  active: boolean;
  /** The position meets the configured minimum time and accuracy: the receiver now holds it. */
  valid: boolean;
  durationS: number;
  observations: number;
  /** The mean position so far, ECEF metres (resolution 0.1 mm on NAV-SVIN, 1 cm on TIM-SVIN). */
  ecefM: { x: number; y: number; z: number };
  /** Accuracy of the mean, m (NAV-SVIN meanAcc; TIM-SVIN √meanV). */
  accuracyM: number;
}

/** Jamming state as the receiver's CW/broadband monitor judges it (MON-HW/MON-RF jammingState). */
export type JammingState = "unknown" | "ok" | "warning" | "critical";

export interface InterferenceReport {
  jamming: JammingState;
  /** CW jamming indicator 0 (none) … 255 (strong). */
  jamIndicator: number;
  /** Antenna supply as the supervisor reports it. */
  antennaPower: "off" | "on" | "unknown";
  /** AGC monitor 0..8191: a sudden drop means strong in-band interference. */
  agcCount: number;
  noisePerMs: number;
}

/** UBX-NAV-STATUS flags2.spoofDetState (protocol 18+). */
export type SpoofingState = "unknown" | "none" | "indicated" | "multiple";
