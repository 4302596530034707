/*
 * How long the serial source may hold the receiver's reads before handing
 * them to the pipeline (hal/linux/serialPortSource.ts batches them: each
 * entry into JavaScript costs a small box more than a sentence's handling).
 * The stamps are the reads' own whatever the hold; what a longer hold
 * delays is when the words are heard, and three listeners care:
 *
 * - The pulse's associator labels an edge by its words, and labels it by
 *   count once FLYWHEEL_WAIT_US (1.5 s) has passed without them
 *   (timing/secondAssociator.ts); the NMEA samples are corrected by the
 *   delay it learned only while it is locked. A fixed 900 ms hold failed
 *   ppsChrony.test.ts in CI (words read 0.4 s after the pulse reached the
 *   associator 1.3 s after it), and so did, once in CI, a hold ending the
 *   words 1.1 s after their pulse (computed from the learned delay): an NMEA
 *   sample went out uncorrected, and no run here reproduced it. So with a
 *   pulse watched the hold is the short one, as through every passing run.
 * - chrony's own PPS refclock locked to the NMEA samples (pulse set-up
 *   "kernel") pairs each pulse with the last sample no older than two
 *   pulses: a sample a second late leaves it a tenth of a second. The short
 *   hold there.
 * - Receiver control waits replyTimeoutMs (1 s) for an acknowledgement: for
 *   REPLY_WINDOW_MS after a write to the receiver, the short hold.
 *
 * Otherwise (no pulse watched: an NMEA-only box) the long hold: a
 * 9600-baud receiver's second of sentences (up to ~900 ms on the wire) is
 * one batch instead of two; chrony's SOCK refclock takes a sample while it
 * is younger than two of its polls (32 s for NMEA at poll 4).
 */

/** The hold while words are wanted soon: 600 ms leaves words read 0.4 s after the pulse 0.5 s short of the flywheel's wait. */
export const SHORT_HOLD_MS = 600;
/** Under a second, so a steady stream still comes once a second. */
export const LONG_HOLD_MS = 950;
/** After a write to the receiver, replies are awaited for this long. */
export const REPLY_WINDOW_MS = 5000;

export interface ReadHoldFacts {
  /** chrony reads the pulse itself, locked to the NMEA samples (chronyConf's pulse set-up "kernel"). */
  chronyPairsPulse: boolean;
  /** The service watches a pulse (its associator waits on the words). */
  pulseWatched: boolean;
  /** Milliseconds since the last write to the receiver (Infinity: none yet). */
  sinceWriteMs: number;
}

export function readHoldMs(f: ReadHoldFacts): number {
  return f.chronyPairsPulse || f.pulseWatched || f.sinceWriteMs < REPLY_WINDOW_MS ? SHORT_HOLD_MS : LONG_HOLD_MS;
}
