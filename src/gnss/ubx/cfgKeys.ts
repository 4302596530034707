/*
 * Gen9/M10 configuration keys (CFG-VALSET/VALGET/VALDEL) that this box
 * sets or reads back. IDs and types from the "Configuration interface"
 * chapter of the u-blox F9/M10 interface descriptions (ZED-F9T TIM 2.x,
 * F9 HPG L1L5 1.40 UBX-23006991, M10 SPG 5.x), cross-checked against
 * pyubx2's ubxtypes_configdb.py.
 *
 * A key ID is 32 bits:  bit 31 reserved | bits 28–30 size | bits 16–23 group | bits 0–11 item
 *   size 1: one bit (L, sent as one byte 0/1), 2: one byte, 3: two, 4: four, 5: eight bytes
 * so a reply can be split into key/value pairs even for keys not listed here.
 * Units: TP periods and lengths µs, delays ns; TMODE positions cm with HP
 * parts and accuracies in 0.1 mm; UART1 baud rate in bit/s.
 */

export type KeyType = "L" | "U1" | "I1" | "E1" | "X1" | "U2" | "I2" | "E2" | "X2" | "U4" | "I4" | "E4" | "X4" | "R4" | "U8" | "I8" | "X8" | "R8";

export interface ConfigKey {
  /** "CFG-TP-PERIOD_TP1" */
  readonly name: string;
  readonly id: number;
  readonly type: KeyType;
}

const key = (name: string, id: number, type: KeyType): ConfigKey => ({ name, id, type });

/** Bytes a value occupies in a VALSET/VALGET payload, from the key's size field; undefined for a reserved size. */
export function valueSize(keyId: number): number | undefined {
  return [undefined, 1, 1, 2, 4, 8][(keyId >>> 28) & 7];
}

export const KEYS = {
  UART1_BAUDRATE: key("CFG-UART1-BAUDRATE", 0x40520001, "U4"),
  UART1INPROT_UBX: key("CFG-UART1INPROT-UBX", 0x10730001, "L"),
  UART1INPROT_NMEA: key("CFG-UART1INPROT-NMEA", 0x10730002, "L"),
  UART1OUTPROT_UBX: key("CFG-UART1OUTPROT-UBX", 0x10740001, "L"),
  UART1OUTPROT_NMEA: key("CFG-UART1OUTPROT-NMEA", 0x10740002, "L"),
  UART1OUTPROT_RTCM3X: key("CFG-UART1OUTPROT-RTCM3X", 0x10740004, "L"),
  RATE_MEAS: key("CFG-RATE-MEAS", 0x30210001, "U2"),
  RATE_NAV: key("CFG-RATE-NAV", 0x30210002, "U2"),
  RATE_TIMEREF: key("CFG-RATE-TIMEREF", 0x20210003, "E1"),
  NAVSPG_DYNMODEL: key("CFG-NAVSPG-DYNMODEL", 0x20110021, "E1"),
  TP_PULSE_DEF: key("CFG-TP-PULSE_DEF", 0x20050023, "E1"),
  TP_PULSE_LENGTH_DEF: key("CFG-TP-PULSE_LENGTH_DEF", 0x20050030, "E1"),
  TP_ANT_CABLEDELAY: key("CFG-TP-ANT_CABLEDELAY", 0x30050001, "I2"),
  TP_PERIOD_TP1: key("CFG-TP-PERIOD_TP1", 0x40050002, "U4"),
  TP_PERIOD_LOCK_TP1: key("CFG-TP-PERIOD_LOCK_TP1", 0x40050003, "U4"),
  TP_LEN_TP1: key("CFG-TP-LEN_TP1", 0x40050004, "U4"),
  TP_LEN_LOCK_TP1: key("CFG-TP-LEN_LOCK_TP1", 0x40050005, "U4"),
  TP_USER_DELAY_TP1: key("CFG-TP-USER_DELAY_TP1", 0x40050006, "I4"),
  TP_TP1_ENA: key("CFG-TP-TP1_ENA", 0x10050007, "L"),
  TP_SYNC_GNSS_TP1: key("CFG-TP-SYNC_GNSS_TP1", 0x10050008, "L"),
  TP_USE_LOCKED_TP1: key("CFG-TP-USE_LOCKED_TP1", 0x10050009, "L"),
  TP_ALIGN_TO_TOW_TP1: key("CFG-TP-ALIGN_TO_TOW_TP1", 0x1005000a, "L"),
  TP_POL_TP1: key("CFG-TP-POL_TP1", 0x1005000b, "L"),
  TP_TIMEGRID_TP1: key("CFG-TP-TIMEGRID_TP1", 0x2005000c, "E1"),
  TMODE_MODE: key("CFG-TMODE-MODE", 0x20030001, "E1"),
  TMODE_POS_TYPE: key("CFG-TMODE-POS_TYPE", 0x20030002, "E1"),
  TMODE_ECEF_X: key("CFG-TMODE-ECEF_X", 0x40030003, "I4"),
  TMODE_ECEF_Y: key("CFG-TMODE-ECEF_Y", 0x40030004, "I4"),
  TMODE_ECEF_Z: key("CFG-TMODE-ECEF_Z", 0x40030005, "I4"),
  TMODE_ECEF_X_HP: key("CFG-TMODE-ECEF_X_HP", 0x20030006, "I1"),
  TMODE_ECEF_Y_HP: key("CFG-TMODE-ECEF_Y_HP", 0x20030007, "I1"),
  TMODE_ECEF_Z_HP: key("CFG-TMODE-ECEF_Z_HP", 0x20030008, "I1"),
  TMODE_FIXED_POS_ACC: key("CFG-TMODE-FIXED_POS_ACC", 0x4003000f, "U4"),
  TMODE_SVIN_MIN_DUR: key("CFG-TMODE-SVIN_MIN_DUR", 0x40030010, "U4"),
  TMODE_SVIN_ACC_LIMIT: key("CFG-TMODE-SVIN_ACC_LIMIT", 0x40030011, "U4"),
} as const;

/** CFG-MSGOUT-*_UART1: output rate of one message on UART1 (U1, per navigation solution). */
export const MSGOUT_UART1 = {
  "NAV-PVT": key("CFG-MSGOUT-UBX_NAV_PVT_UART1", 0x20910007, "U1"),
  "NAV-STATUS": key("CFG-MSGOUT-UBX_NAV_STATUS_UART1", 0x2091001b, "U1"),
  "NAV-SAT": key("CFG-MSGOUT-UBX_NAV_SAT_UART1", 0x20910016, "U1"),
  "NAV-TIMEGPS": key("CFG-MSGOUT-UBX_NAV_TIMEGPS_UART1", 0x20910048, "U1"),
  "NAV-TIMEUTC": key("CFG-MSGOUT-UBX_NAV_TIMEUTC_UART1", 0x2091005c, "U1"),
  "NAV-TIMELS": key("CFG-MSGOUT-UBX_NAV_TIMELS_UART1", 0x20910061, "U1"),
  "NAV-SVIN": key("CFG-MSGOUT-UBX_NAV_SVIN_UART1", 0x20910089, "U1"),
  "TIM-TP": key("CFG-MSGOUT-UBX_TIM_TP_UART1", 0x2091017e, "U1"),
  "TIM-SVIN": key("CFG-MSGOUT-UBX_TIM_SVIN_UART1", 0x20910098, "U1"),
  "MON-HW": key("CFG-MSGOUT-UBX_MON_HW_UART1", 0x209101b5, "U1"),
  "MON-RF": key("CFG-MSGOUT-UBX_MON_RF_UART1", 0x2091035a, "U1"),
  GGA: key("CFG-MSGOUT-NMEA_ID_GGA_UART1", 0x209100bb, "U1"),
  GLL: key("CFG-MSGOUT-NMEA_ID_GLL_UART1", 0x209100ca, "U1"),
  GSA: key("CFG-MSGOUT-NMEA_ID_GSA_UART1", 0x209100c0, "U1"),
  GSV: key("CFG-MSGOUT-NMEA_ID_GSV_UART1", 0x209100c5, "U1"),
  RMC: key("CFG-MSGOUT-NMEA_ID_RMC_UART1", 0x209100ac, "U1"),
  VTG: key("CFG-MSGOUT-NMEA_ID_VTG_UART1", 0x209100b1, "U1"),
  GRS: key("CFG-MSGOUT-NMEA_ID_GRS_UART1", 0x209100cf, "U1"),
  GST: key("CFG-MSGOUT-NMEA_ID_GST_UART1", 0x209100d4, "U1"),
  ZDA: key("CFG-MSGOUT-NMEA_ID_ZDA_UART1", 0x209100d9, "U1"),
  GBS: key("CFG-MSGOUT-NMEA_ID_GBS_UART1", 0x209100de, "U1"),
  DTM: key("CFG-MSGOUT-NMEA_ID_DTM_UART1", 0x209100a7, "U1"),
  GNS: key("CFG-MSGOUT-NMEA_ID_GNS_UART1", 0x209100b6, "U1"),
} as const;

export type MsgOutName = keyof typeof MSGOUT_UART1;

const BY_ID = new Map<number, ConfigKey>([...Object.values(KEYS), ...Object.values(MSGOUT_UART1)].map((k) => [k.id, k]));

/** The listed key with this ID, or a stand-in named by its hex ID (type from its size). */
export function keyById(id: number): ConfigKey {
  const known = BY_ID.get(id);
  if (known) return known;
  const size = valueSize(id);
  const type: KeyType = size === 2 ? "U2" : size === 4 ? "U4" : size === 8 ? "U8" : "U1";
  return { name: `0x${(id >>> 0).toString(16).padStart(8, "0")}`, id, type };
}
