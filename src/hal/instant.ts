/**
 * A moment as seconds and nanoseconds since the epoch. A double of
 * microseconds since 1970 keeps only a quarter of a microsecond, and the
 * kernel's PPS timestamp must reach chrony exactly, so times that may come
 * from the kernel travel as this pair of integers. It is the base time type
 * of every interface below the domain, so it lives here, under hal/.
 */
export interface Instant {
  sec: number;
  /** 0 ≤ nsec < 1e9. */
  nsec: number;
}

export const instantFromUs = (us: number): Instant => {
  const sec = Math.floor(us / 1e6);
  return { sec, nsec: Math.round((us - sec * 1e6) * 1000) };
};

export const instantToUs = (t: Instant): number => t.sec * 1e6 + t.nsec / 1000;

/** a − b in seconds, computed on the parts so no nanosecond is lost. */
export const diffS = (a: Instant, b: Instant): number => a.sec - b.sec + (a.nsec - b.nsec) / 1e9;
