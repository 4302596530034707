/*
 * The u-blox receivers the simulator can be: what each says in MON-VER,
 * which configuration messages its protocol version takes, which outputs
 * its firmware has, its default rate, and its clock's quantisation of the
 * pulse. Identities follow real units (the gpsd captures: NEO-M8N SPG 3.01
 * protocol 18.00; ZED-F9T TIM 2.25 protocol 29.25) and u-blox's firmware
 * tables (NEO-M8T TIM 1.10 is protocol 22.00; M10 SPG 5.10 is 34.10).
 * What is accepted follows the interface descriptions: protocol < 27 has
 * no CFG-VALSET/VALGET; F9 and M9 keep most legacy CFG messages; M10 drops
 * them (it answers CFG-CFG, CFG-RST and CFG-VAL* only) — the box sends
 * VALSET to all three anyway.
 */
import type { MsgOutName } from "../../src/gnss/ubx/cfgKeys.js";

export interface UbloxModel {
  name: string;
  swVersion: string;
  hwVersion: string;
  extensions: readonly string[];
  /** Takes CFG-VALSET/VALGET (Gen9+). */
  valset: boolean;
  /** Takes the legacy CFG-PRT/MSG/RATE/TP5/NAV5 (everything before M10). */
  legacyCfg: boolean;
  /** Time-mode message family of a timing receiver. */
  timeMode: "tmode2" | "tmode3" | undefined;
  /** Outputs this firmware has (a CFG-MSG or MSGOUT key for another is refused). */
  outputs: readonly MsgOutName[];
  defaultBaud: number;
  /** Period of the clock the pulse is cut from, ps (±half of it is the sawtooth). */
  tickPs: number;
  /** Battery-backed RAM survives a power cycle (a backup cell is fitted). */
  backupBattery: boolean;
}

const NMEA: MsgOutName[] = ["GGA", "GLL", "GSA", "GSV", "RMC", "VTG", "GRS", "GST", "ZDA", "GBS", "DTM", "GNS"];
const M8_UBX: MsgOutName[] = ["NAV-PVT", "NAV-STATUS", "NAV-SAT", "NAV-TIMEGPS", "NAV-TIMEUTC", "NAV-TIMELS", "TIM-TP", "MON-HW"];

export const NEO_M8N: UbloxModel = {
  name: "NEO-M8N",
  swVersion: "ROM CORE 3.01 (107888)",
  hwVersion: "00080000",
  extensions: ["FWVER=SPG 3.01", "PROTVER=18.00", "MOD=NEO-M8N-0", "GPS;GLO;GAL;BDS", "SBAS;IMES;QZSS"],
  valset: false,
  legacyCfg: true,
  timeMode: undefined,
  outputs: [...NMEA, ...M8_UBX],
  defaultBaud: 9600,
  tickPs: 20_833,
  backupBattery: true,
};

export const NEO_M8T: UbloxModel = {
  name: "NEO-M8T",
  swVersion: "EXT CORE 3.01 (111141)",
  hwVersion: "00080000",
  extensions: ["ROM BASE 2.01 (75331)", "FWVER=TIM 1.10", "PROTVER=22.00", "MOD=NEO-M8T-0", "GPS;GLO;GAL;BDS", "SBAS;IMES;QZSS"],
  valset: false,
  legacyCfg: true,
  timeMode: "tmode2",
  outputs: [...NMEA, ...M8_UBX, "TIM-SVIN"],
  defaultBaud: 9600,
  tickPs: 20_833,
  backupBattery: true,
};

export const ZED_F9T: UbloxModel = {
  name: "ZED-F9T",
  swVersion: "EXT CORE 1.00 (535349)",
  hwVersion: "00190000",
  extensions: ["ROM BASE 0x3BFC8935", "FWVER=TIM 2.25", "PROTVER=29.25", "MOD=ZED-F9T-20B", "GPS;GAL;BDS", "SBAS;QZSS", "NAVIC"],
  valset: true,
  legacyCfg: true,
  timeMode: "tmode3",
  outputs: [...NMEA, "NAV-PVT", "NAV-STATUS", "NAV-SAT", "NAV-TIMEGPS", "NAV-TIMEUTC", "NAV-TIMELS", "NAV-SVIN", "TIM-TP", "MON-HW", "MON-RF"],
  defaultBaud: 38400,
  tickPs: 8_000,
  backupBattery: true,
};

export const MAX_M10S: UbloxModel = {
  name: "MAX-M10S",
  swVersion: "ROM SPG 5.10 (7b202e)",
  hwVersion: "000A0000",
  extensions: ["FWVER=SPG 5.10", "PROTVER=34.10", "MOD=MAX-M10S", "GPS;GLO;GAL;BDS", "SBAS;QZSS"],
  valset: true,
  legacyCfg: false,
  timeMode: undefined,
  outputs: [...NMEA, "NAV-PVT", "NAV-STATUS", "NAV-SAT", "NAV-TIMEGPS", "NAV-TIMEUTC", "NAV-TIMELS", "TIM-TP", "MON-RF"],
  defaultBaud: 9600,
  tickPs: 20_833,
  backupBattery: false,
};
