import type { ControlReply, InterferenceReport, LeapSecondReport, SpoofingState, SurveyInReport, TimePulseReport } from "./receiverReports.js";
import type { Dop, GnssSystem, Position, ReceiverIdentity, SatelliteReport, UsedList } from "./sky.js";

/**
 * What one decoded sentence or UBX message tells about its epoch. Every field
 * is optional: a GSV says nothing of time, a GGA has a time of day but no date.
 * The epoch assembler merges reports; only RMC, ZDA and the UBX time messages
 * may supply a date (lending GGA the *system* date, as some NMEA libraries do, would label a second with the wrong day).
 */
export interface TimeOfDay {
  hour: number;
  minute: number;
  /** 0..60: 60 is an inserted leap second. */
  second: number;
  /** Fraction of the second in microseconds, as the receiver printed it. */
  micros: number;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The active antenna's supply as the receiver reports it (u-blox MON-HW/MON-RF or TXT, MediaTek PGTOP). */
export type AntennaState = "ok" | "open" | "short" | "unknown";

export type FixMode = "none" | "dead-reckoning" | "2d" | "3d" | "time-only";

/** Fix modes that measure time from satellites (dead reckoning and "none" do not). */
export const isRealFix = (m: FixMode | undefined): boolean => m === "2d" || m === "3d" || m === "time-only";

export interface GnssReport {
  /** "GNRMC", "GPGSV", "UBX-NAV-PVT": what produced it. */
  source: string;
  timeOfDay?: TimeOfDay;
  date?: CivilDate;
  /** The receiver's own verdict on this time (RMC status A, UBX validity bits). */
  timeValid?: boolean;
  /**
   * Whether the receiver vouches for its UTC, not only its GPS time: it knows
   * the leap-second count (NAV-TIMEUTC validUTC, NAV-TIMELS validCurrLs) and
   * has confirmed its date and time (NAV-PVT confirmedDate/confirmedTime).
   * Undefined where the message cannot say (NMEA).
   */
  utcVouched?: boolean;
  fixMode?: FixMode;
  satellitesUsed?: number;
  /** Satellites in view for one constellation (GSV talker or UBX). */
  satellitesSeen?: { system: string; count: number };
  /** GPS−UTC leap seconds, when the receiver says and knows it. */
  leapSeconds?: number;
  /** GPS time of week in ms (UBX iTOW): marks the epoch of UBX messages without a UTC time. */
  gpsTowMs?: number;
  text?: string;
  antenna?: AntennaState;
  /**
   * Satellites in view: a whole NAV-SAT (complete), or one GSV message's
   * blocks with its place in its group (key: talker and signal), which the
   * epoch assembler collects until the group's last message.
   */
  satellites?: { views: SatelliteReport[]; complete: boolean; group?: { key: string; message: number; total: number } };
  /** Satellites used in the fix (GSA). */
  used?: UsedList;
  dop?: Dop;
  position?: Position;
  /** What the receiver says about itself (start-up TXT, MON-VER, PMTK705). */
  receiver?: ReceiverIdentity;
  /**
   * A reply to the host's command (ACK/NAK, polled settings, PMTK001), for the
   * receiver configurator. It says nothing about the epoch.
   */
  control?: ControlReply;
  /**
   * TIM-TP: the next pulse's time and quantisation error. Deliberately not in
   * gpsTowMs: it names the next second, and the epoch assembler would take it
   * for a new epoch.
   */
  timePulse?: TimePulseReport;
  /** NAV-TIMELS: leap-second count and announcement. */
  leapSecond?: LeapSecondReport;
  /** TIM-SVIN / NAV-SVIN: survey-in progress. */
  surveyIn?: SurveyInReport;
  /** MON-HW / MON-RF: jamming monitor and antenna supply. */
  interference?: InterferenceReport;
  /** NAV-STATUS: spoofing detector. */
  spoofing?: SpoofingState;
}

export type { Dop, GnssSystem, Position, ReceiverIdentity, SatelliteReport, UsedList };
export type { ControlReply, InterferenceReport, LeapSecondReport, SpoofingState, SurveyInReport, TimePulseReport };

export type DecodeReject = "bad-checksum" | "missing-checksum" | "malformed-sentence" | "bad-time-field" | "bad-date-field" | "unsupported-sentence" | "ubx-bad-payload";

export type Decoded = { ok: true; report: GnssReport } | { ok: false; reason: DecodeReject; detail: string };

export const rejected = (reason: DecodeReject, detail: string): Decoded => ({ ok: false, reason, detail });
export const decoded = (report: GnssReport): Decoded => ({ ok: true, report });
