/*
 * The health model: every counter and state the service exposes, in one
 * place. Pipeline stages only increment; the status snapshot (and through it
 * the front panel and stratum1ctl) reads from here.
 */
import type { FramingReject } from "../gnss/frame.js";
import type { JammingState } from "../gnss/receiverReports.js";
import type { AntennaState, DecodeReject, Dop, FixMode, Position, ReceiverIdentity, SatelliteReport, SpoofingState, UsedList } from "../gnss/report.js";
import type { DeviceState } from "../hal/byteSource.js";
import type { GateReject } from "../timing/timeGate.js";

/** Named keys of the unsupported-message map are capped so a noisy receiver cannot grow it. */
const MAX_UNSUPPORTED_KEYS = 64;

export interface TimeState {
  /** "ok" while samples flow, otherwise the gate's reason, or "no-data". */
  state: "ok" | GateReject | "no-data" | "waiting";
  detail: string;
  sinceUs: number;
}

export class Health {
  readonly counts = { bytes: 0, nmeaSentences: 0, ubxFrames: 0, reports: 0, epochs: 0, samples: 0, subSecondEpochs: 0, clockSteps: 0 };
  readonly framing: Partial<Record<FramingReject, number>> = {};
  readonly decode: Partial<Record<DecodeReject, number>> = {};
  readonly gate: Partial<Record<GateReject, number>> = {};
  readonly unsupported: Record<string, number> = {};
  device: DeviceState & { sinceUs: number } = { state: "opening", detail: "not started", sinceUs: 0 };
  time: TimeState = { state: "waiting", detail: "no epoch yet", sinceUs: 0 };
  fix: { mode?: FixMode; satellitesUsed?: number; satellitesSeen: Record<string, number> } = { satellitesSeen: {} };
  last: { utcSecond?: number; sampleLocalUs?: number; offsetS?: number; bytesUs?: number; reportUs?: number } = {};
  /** Undefined until the receiver says anything about its antenna (many never do). */
  antenna: { state: AntennaState; source: string; sinceUs: number } | undefined;
  /** Undefined until the receiver reports its interference monitor (u-blox MON-HW/MON-RF). */
  jamming: { state: JammingState; indicator: number; source: string; sinceUs: number } | undefined;
  /**
   * Satellites in view (bounded by the assembler) with when each
   * constellation was last listed, and the GSA lists of those used;
   * undefined until a GSV or NAV-SAT.
   */
  sky: { satellites: SatelliteReport[]; used: UsedList[]; source: string; atUs: number; listedAtUs: Record<string, number> } | undefined;
  /** The latest DOPs and position the receiver gave; the position is dropped when the fix is lost. */
  dop: Dop | undefined;
  position: Position | undefined;
  /** Gathered from start-up texts / MON-VER / PMTK705; undefined when the receiver never says. */
  receiver: (ReceiverIdentity & { source: string }) | undefined;
  /** Its spoofing detector (u-blox NAV-STATUS); undefined from receivers that have none. */
  spoofing: { state: SpoofingState; source: string; atUs: number } | undefined;

  countUnsupported(name: string): void {
    if (name in this.unsupported || Object.keys(this.unsupported).length < MAX_UNSUPPORTED_KEYS) {
      this.unsupported[name] = (this.unsupported[name] ?? 0) + 1;
    } else {
      this.unsupported["(other)"] = (this.unsupported["(other)"] ?? 0) + 1;
    }
  }
}

export const bump = <K extends string>(map: Partial<Record<K, number>>, key: K, by = 1): void => {
  map[key] = (map[key] ?? 0) + by;
};
