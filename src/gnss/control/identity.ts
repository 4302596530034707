/*
 * What is attached, from what it said about itself (MON-VER, PMTK705): the
 * family decides the command language, and for u-blox the protocol version
 * decides the configuration interface:
 *   protocol < 27 (u-blox 6/7/8):  legacy CFG-* messages (CFG-MSG, CFG-TP5, …)
 *   protocol ≥ 27 (M9, F9, M10):   CFG-VALSET keys. F9 and M9 still accept most
 *                                  legacy CFG messages but call them deprecated;
 *                                  M10 refuses them. So Gen9+ always gets VALSET.
 * Timing receivers (firmware TIM or FTS, modules …M8T, LEA-M8F, ZED-F9T) have
 * a time mode: TMODE2 on u-blox 8, TMODE3 / CFG-TMODE-* on F9.
 * Protocol versions: u-blox M8 firmware table (UBX-13003221) — SPG 3.01 is
 * 18.00, TIM 1.10 is 22.00, FTS 1.01 is 16.00; F9 TIM 2.2x is 29.2x; M9 SPG
 * 4.04 is 32.01; M10 SPG 5.x is 34.x.
 */
import type { ReceiverIdentity } from "../report.js";

export type UbloxGeneration = "u-blox 6/7" | "M8" | "M9" | "F9" | "M10";

export interface UbloxReceiver {
  family: "u-blox";
  generation: UbloxGeneration;
  /** PROTVER as a number (18, 22, 29.25); 0 when the receiver did not say. */
  protocol: number;
  module: string | undefined;
  firmware: string | undefined;
  hardware: string | undefined;
  /** The time-mode message family of a timing receiver; undefined for navigation receivers. */
  timeMode: "tmode2" | "tmode3" | undefined;
  configInterface: "legacy" | "valset";
}

export interface MediatekReceiver {
  family: "mediatek";
  firmware: string | undefined;
  model: string | undefined;
}

/** Neither MON-VER nor PMTK605 answered, but NMEA flows: listen only. */
export interface NmeaReceiver {
  family: "nmea";
}

export type IdentifiedReceiver = UbloxReceiver | MediatekReceiver | NmeaReceiver;

/** The protocol version MON-VER gives ("18.00", "29.25"); 0 when absent or unreadable. */
export const protocolNumber = (text: string | undefined): number => {
  const n = Number.parseFloat(text ?? "");
  return Number.isFinite(n) ? n : 0;
};

function generationOf(module: string | undefined, protocol: number): UbloxGeneration {
  const m = (module ?? "").toUpperCase();
  if (/M10/.test(m)) return "M10";
  if (/F9/.test(m)) return "F9";
  if (/M9/.test(m)) return "M9";
  if (/M8/.test(m)) return "M8";
  if (protocol >= 34) return "M10";
  if (protocol >= 32) return "M9";
  if (protocol >= 27) return "F9";
  if (protocol >= 15) return "M8";
  return "u-blox 6/7";
}

const TIMING_FIRMWARE = /^(TIM|FTS)\b/;
const TIMING_MODULE = /(M8T|M8F|F9T)/i;

export function classifyUblox(id: ReceiverIdentity): UbloxReceiver {
  const protocol = protocolNumber(id.protocol);
  const generation = generationOf(id.model, protocol);
  const timing = TIMING_FIRMWARE.test(id.firmware ?? "") || TIMING_MODULE.test(id.model ?? "");
  const gen9 = generation === "F9" || generation === "M9" || generation === "M10";
  return {
    family: "u-blox",
    generation,
    protocol,
    module: id.model,
    firmware: id.firmware,
    hardware: id.hardware,
    timeMode: !timing ? undefined : gen9 ? "tmode3" : generation === "M8" ? "tmode2" : undefined,
    configInterface: gen9 || protocol >= 27 ? "valset" : "legacy",
  };
}

export function classifyMediatek(id: ReceiverIdentity): MediatekReceiver {
  return { family: "mediatek", firmware: id.firmware, model: id.model };
}

/** One line for the status and `stratum1ctl gps`. */
export function describeReceiver(r: IdentifiedReceiver): string {
  if (r.family === "nmea") return "NMEA receiver (answers neither UBX MON-VER nor PMTK605; listened to, not configured)";
  if (r.family === "mediatek") return `MediaTek${r.model ? ` ${r.model}` : ""}${r.firmware ? `, firmware ${r.firmware}` : ""} (configured by PMTK)`;
  const parts = [`u-blox ${r.module ?? r.generation}`];
  if (r.firmware) parts.push(r.firmware);
  if (r.protocol > 0) parts.push(`protocol ${r.protocol.toFixed(2)}`);
  if (r.hardware) parts.push(`hardware ${r.hardware}`);
  const how = r.configInterface === "valset" ? "CFG-VALSET" : "legacy CFG messages";
  return `${parts.join(", ")} (${r.timeMode ? "timing receiver, " : ""}configured by ${how})`;
}
