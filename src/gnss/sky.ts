/*
 * The receiver's view of the sky, as decoders report it: satellites in view
 * (NMEA GSV, UBX NAV-SAT) and the ones used in the fix (GSA, NAV-SAT's
 * svUsed). Satellites are numbered as the receiver numbers them: NMEA PRNs
 * (GLONASS 65–96, SBAS 33–64 in GPGSV) or u-blox svIds; a table that
 * renumbered them would no longer match what the receiver's own tools show.
 */

/** Constellations by the names operators use (gpsd's, u-blox's). */
export type GnssSystem = "GPS" | "SBAS" | "Galileo" | "BeiDou" | "QZSS" | "GLONASS" | "NavIC" | "unknown";

/** One satellite, one signal, as one GSV block or one NAV-SAT record tells it. */
export interface SatelliteReport {
  system: GnssSystem;
  /** PRN (NMEA) or svId (UBX). */
  id: number;
  /** null when the receiver does not know it yet (empty field, or UBX out of range). */
  elevationDeg: number | null;
  azimuthDeg: number | null;
  /** Carrier-to-noise density, dB-Hz; null: not tracked. */
  cnoDbHz: number | null;
  /** Only NAV-SAT says this per satellite; GSV leaves it to GSA. */
  used?: boolean;
}

/** A GSA's list of satellites used in the fix; system undefined when the sentence does not say (NMEA < 4.1 GNGSA). */
export interface UsedList {
  system?: GnssSystem;
  ids: number[];
}

export interface Dop {
  gdop?: number;
  pdop?: number;
  hdop?: number;
  vdop?: number;
  tdop?: number;
}

export interface Position {
  latDeg: number;
  lonDeg: number;
  /** Above mean sea level, when the receiver gives it. */
  altM?: number;
}

/** What the receiver says about itself, gathered from start-up texts and MON-VER. */
export interface ReceiverIdentity {
  vendor?: string;
  model?: string;
  firmware?: string;
  hardware?: string;
  protocol?: string;
}

/** NMEA talker → constellation. "GN" (combined) has none: its sentences say, or the PRN range does. */
const TALKERS: Record<string, GnssSystem> = { GP: "GPS", GL: "GLONASS", GA: "Galileo", GB: "BeiDou", BD: "BeiDou", GQ: "QZSS", QZ: "QZSS", GI: "NavIC" };

export const systemOfTalker = (talker: string): GnssSystem | undefined => TALKERS[talker];

/** NMEA 4.1 system ids (GSA field 18, GSV is per talker). */
const NMEA_SYSTEM_IDS: Record<string, GnssSystem> = { "1": "GPS", "2": "GLONASS", "3": "Galileo", "4": "BeiDou", "5": "QZSS", "6": "NavIC" };

export const systemOfNmeaId = (id: string): GnssSystem | undefined => NMEA_SYSTEM_IDS[id];

/**
 * The constellation of an NMEA PRN reported under `talker`. u-blox and
 * others put SBAS (33–64) and QZSS (193–200) in GPGSV, and a "GN" talker's
 * PRNs are told apart by range (NMEA 4.0: GLONASS 65–96).
 */
export function systemOfNmeaPrn(talker: GnssSystem | undefined, prn: number): GnssSystem {
  if (talker === undefined || talker === "GPS") {
    if (prn >= 1 && prn <= 32) return "GPS";
    if (prn >= 33 && prn <= 64) return "SBAS";
    if (prn >= 65 && prn <= 96) return "GLONASS";
    if (prn >= 193 && prn <= 200) return "QZSS";
    if (prn >= 201 && prn <= 237) return "BeiDou";
    if (prn >= 301 && prn <= 336) return "Galileo";
    if (prn >= 401 && prn <= 437) return "BeiDou";
    return talker ?? "unknown";
  }
  return talker;
}

/** UBX gnssId (NAV-SAT, NAV-SIG). */
const UBX_GNSS: readonly GnssSystem[] = ["GPS", "SBAS", "Galileo", "BeiDou", "unknown", "QZSS", "GLONASS", "NavIC"];

export const systemOfUbxGnssId = (gnssId: number): GnssSystem => UBX_GNSS[gnssId] ?? "unknown";
