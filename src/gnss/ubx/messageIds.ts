/*
 * UBX class and message ids by the names u-blox gives them, for the
 * messages this box sends, polls or configures. Source: u-blox 8 / u-blox M8
 * Receiver Description incl. Protocol Specification (UBX-13003221), section
 * "UBX Class IDs" and each message's header line; the Gen9 interface
 * descriptions (ZED-F9T TIM 2.x, u-blox F9 HPG L1L5 1.40 UBX-23006991) for
 * CFG-VALSET/VALGET, MON-RF and NAV-SVIN. Cross-checked against pyubx2's
 * ubxtypes_core.py.
 */

export interface UbxMessageId {
  readonly msgClass: number;
  readonly msgId: number;
  /** u-blox's name without the "UBX-" prefix: "NAV-PVT", "CFG-TP5". */
  readonly name: string;
}

const id = (msgClass: number, msgId: number, name: string): UbxMessageId => ({ msgClass, msgId, name });

export const UBX = {
  NAV_STATUS: id(0x01, 0x03, "NAV-STATUS"),
  NAV_PVT: id(0x01, 0x07, "NAV-PVT"),
  NAV_TIMEGPS: id(0x01, 0x20, "NAV-TIMEGPS"),
  NAV_TIMEUTC: id(0x01, 0x21, "NAV-TIMEUTC"),
  NAV_TIMELS: id(0x01, 0x26, "NAV-TIMELS"),
  NAV_SAT: id(0x01, 0x35, "NAV-SAT"),
  NAV_SVIN: id(0x01, 0x3b, "NAV-SVIN"),
  ACK_NAK: id(0x05, 0x00, "ACK-NAK"),
  ACK_ACK: id(0x05, 0x01, "ACK-ACK"),
  CFG_PRT: id(0x06, 0x00, "CFG-PRT"),
  CFG_MSG: id(0x06, 0x01, "CFG-MSG"),
  CFG_RST: id(0x06, 0x04, "CFG-RST"),
  CFG_RATE: id(0x06, 0x08, "CFG-RATE"),
  CFG_CFG: id(0x06, 0x09, "CFG-CFG"),
  CFG_NAV5: id(0x06, 0x24, "CFG-NAV5"),
  CFG_TP5: id(0x06, 0x31, "CFG-TP5"),
  CFG_TMODE2: id(0x06, 0x3d, "CFG-TMODE2"),
  CFG_TMODE3: id(0x06, 0x71, "CFG-TMODE3"),
  CFG_VALSET: id(0x06, 0x8a, "CFG-VALSET"),
  CFG_VALGET: id(0x06, 0x8b, "CFG-VALGET"),
  MON_VER: id(0x0a, 0x04, "MON-VER"),
  MON_HW: id(0x0a, 0x09, "MON-HW"),
  MON_RF: id(0x0a, 0x38, "MON-RF"),
  TIM_TP: id(0x0d, 0x01, "TIM-TP"),
  TIM_SVIN: id(0x0d, 0x04, "TIM-SVIN"),
} as const;

/** Standard NMEA sentences as u-blox addresses them in CFG-MSG (class 0xF0; UBX-13003221, "NMEA Protocol Overview"). */
export const NMEA_MSG = {
  GGA: id(0xf0, 0x00, "GGA"),
  GLL: id(0xf0, 0x01, "GLL"),
  GSA: id(0xf0, 0x02, "GSA"),
  GSV: id(0xf0, 0x03, "GSV"),
  RMC: id(0xf0, 0x04, "RMC"),
  VTG: id(0xf0, 0x05, "VTG"),
  GRS: id(0xf0, 0x06, "GRS"),
  GST: id(0xf0, 0x07, "GST"),
  ZDA: id(0xf0, 0x08, "ZDA"),
  GBS: id(0xf0, 0x09, "GBS"),
  DTM: id(0xf0, 0x0a, "DTM"),
  GNS: id(0xf0, 0x0d, "GNS"),
} as const;

export type NmeaSentenceName = keyof typeof NMEA_MSG;

const BY_KEY = new Map<number, UbxMessageId>([...Object.values(UBX), ...Object.values(NMEA_MSG)].map((m) => [(m.msgClass << 8) | m.msgId, m]));

/** "NAV-PVT" for a known message, "UBX-01-07"-style hex for any other (NMEA ones as "NMEA-GGA"). */
export function ubxMessageName(msgClass: number, msgId: number): string {
  const known = BY_KEY.get((msgClass << 8) | msgId);
  if (known) return msgClass === 0xf0 ? `NMEA-${known.name}` : known.name;
  return `UBX-${msgClass.toString(16).padStart(2, "0")}-${msgId.toString(16).padStart(2, "0")}`;
}
