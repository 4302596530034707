import type { CivilDate, FixMode, TimeOfDay } from "./report.js";

/** Everything the receiver said about one navigation epoch (one second). */
export interface Epoch {
  /** Realtime µs at which the epoch's first sentence/frame was read: the sample's local timestamp. */
  startRxUs: number;
  timeOfDay?: TimeOfDay;
  date?: CivilDate;
  /** Which message supplied the date and time. */
  timeSource?: string;
  timeValid?: boolean;
  fixMode?: FixMode;
  satellitesUsed?: number;
  /** In view per constellation talker ("GP", "GL", ...). */
  satellitesSeen: Record<string, number>;
  leapSeconds?: number;
  gpsTowMs?: number;
  sources: string[];
}
