import { diffS, type Instant } from "../hal/instant.js";

/** One (local clock, true time) pair, the only thing a refclock sink needs. */
export interface TimeSample {
  /** Local CLOCK_REALTIME at which the reference event was observed. */
  local: Instant;
  /** True UTC of that event (POSIX scale). */
  reference: Instant;
  /** Leap indicator for chrony/ntpd: 0 none, 1 insert, 2 delete at the end of the UTC day. */
  leap: 0 | 1 | 2;
  /** 1 when the sample only gives the phase of a pulse (chrony PPS-style SOCK samples). */
  pulse: 0 | 1;
  /** The UTC second the sample is labelled with, for logs and status. */
  utcSecond: number;
}

/** Offset in seconds as chrony wants it: true time minus local time. */
export const sampleOffsetS = (s: TimeSample): number => diffS(s.reference, s.local);
