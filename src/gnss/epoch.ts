import type { LeapSecondReport } from "./receiverReports.js";
import type { CivilDate, Dop, FixMode, Position, SatelliteReport, TimeOfDay, UsedList } from "./report.js";

/** Everything the receiver said about one navigation epoch (one second). */
export interface Epoch {
  /** Realtime µs at which the epoch's first sentence/frame was read: the sample's local timestamp. */
  startRxUs: number;
  timeOfDay?: TimeOfDay;
  date?: CivilDate;
  /** Which message supplied the date and time. */
  timeSource?: string;
  timeValid?: boolean;
  /** Every message of the epoch that can say vouched for UTC (false if one did not); undefined when none could say. */
  utcVouched?: boolean;
  /** The receiver's leap-second knowledge and announcement (UBX NAV-TIMELS), when it sent one in this epoch. */
  leapSecond?: LeapSecondReport;
  fixMode?: FixMode;
  satellitesUsed?: number;
  /** In view per constellation talker ("GP", "GL", ...). */
  satellitesSeen: Record<string, number>;
  leapSeconds?: number;
  gpsTowMs?: number;
  sources: string[];
  /** Satellites in view as the epoch's GSV messages (one block per signal) or its NAV-SAT told them; bounded. */
  satellites: SatelliteReport[];
  /** Whether `satellites` is one receiver's complete list with used flags (NAV-SAT), not GSV pieces. */
  satellitesComplete: boolean;
  /** The GSA lists of satellites used, one per system; bounded. */
  used: UsedList[];
  dop?: Dop;
  position?: Position;
}
