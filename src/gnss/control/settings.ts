/*
 * What the box wants from its receiver, in the owner's units (metres,
 * seconds, nanoseconds), independent of how a given receiver is told. The
 * integrator fills it from stratum1.conf and /data; the planners turn it
 * into frames for the receiver at hand.
 */
import type { NmeaSentenceName } from "../ubx/messageIds.js";

export interface NmeaOutput {
  sentence: NmeaSentenceName;
  /** Every n-th navigation solution (1 = every second). */
  every: number;
}

/** A position held in fixed mode, as surveyed and saved on /data. */
export interface SurveyedPosition {
  ecefM: { x: number; y: number; z: number };
  /** 1σ accuracy of the mean, m. */
  accuracyM: number;
}

export interface ReceiverSettings {
  /** false: identify and listen only (the owner configures the receiver). */
  configure: boolean;
  /** NMEA sentences to keep; every other standard sentence is turned off. */
  nmea: readonly NmeaOutput[];
  pulse: {
    /** Pulse length while locked, ms. */
    widthMs: number;
    /** Antenna cable delay to compensate, ns (≈ 5 ns per metre of RG-58). */
    cableDelayNs: number;
  };
  /** Timing receivers: survey-in until both are met. */
  survey: { minDurationS: number; accuracyLimitM: number };
  /** A position surveyed earlier (from /data): held at once, no survey. */
  fixedPosition: SurveyedPosition | undefined;
  /** Where settings go: RAM only (re-applied at every start) or also BBR and flash. */
  persist: "ram" | "bbr-flash";
  /** serial.baud = auto: move the receiver to this rate once found; undefined to leave its rate alone. */
  targetBaud: number | undefined;
}

export const DEFAULT_SETTINGS: ReceiverSettings = {
  configure: true,
  // UBX NAV-PVT carries time and fix, NAV-SAT the sky: RMC and GGA remain for the NMEA path and the owner's tools.
  nmea: [
    { sentence: "RMC", every: 1 },
    { sentence: "GGA", every: 1 },
  ],
  // 50 ns is u-blox's own default: configuring does not move the pulse unless the owner says so.
  pulse: { widthMs: 100, cableDelayNs: 50 },
  survey: { minDurationS: 3600, accuracyLimitM: 2 },
  fixedPosition: undefined,
  persist: "ram",
  targetBaud: undefined,
};

/** MediaTek has no UBX: the sky comes from GSV/GSA, so they stay on (GSV every fifth fix). */
export const DEFAULT_MEDIATEK_NMEA: readonly NmeaOutput[] = [
  { sentence: "RMC", every: 1 },
  { sentence: "GGA", every: 1 },
  { sentence: "GSA", every: 1 },
  { sentence: "GSV", every: 5 },
];

/** The order the box tries rates in when nothing decodes: the receivers' defaults first (M8 9600, Gen9 38400). */
export const COMMON_BAUD_RATES: readonly number[] = [9600, 38400, 115200, 4800, 19200, 57600, 230400];
