/**
 * A moment as seconds and nanoseconds since the epoch. A double of
 * microseconds since 1970 keeps only a quarter of a microsecond, and the
 * kernel's PPS timestamp must reach chrony exactly, so times that may come
 * from the kernel travel as this pair of integers.
 */
export interface Instant {
  sec: number;
  /** 0 ≤ nsec < 1e9. */
  nsec: number;
}

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

export const instantFromUs = (us: number): Instant => {
  const sec = Math.floor(us / 1e6);
  return { sec, nsec: Math.round((us - sec * 1e6) * 1000) };
};

export const instantToUs = (t: Instant): number => t.sec * 1e6 + t.nsec / 1000;

/** a − b in seconds, computed on the parts so no nanosecond is lost. */
export const diffS = (a: Instant, b: Instant): number => a.sec - b.sec + (a.nsec - b.nsec) / 1e9;

/** Offset in seconds as chrony wants it: true time minus local time. */
export const sampleOffsetS = (s: TimeSample): number => diffS(s.reference, s.local);
