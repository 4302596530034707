/*
 * How long the serial source may hold the receiver's reads before handing
 * them to the pipeline (hal/linux/serialPortSource.ts batches them: each
 * entry into JavaScript costs a small box more than a sentence's handling).
 * The stamps are the reads' own whatever the hold; what a longer hold
 * delays is when the words are heard, and three listeners care:
 *
 * - The pulse's associator labels an edge by its words, and labels it by
 *   count once FLYWHEEL_WAIT_US (1.5 s) has passed without them
 *   (timing/secondAssociator.ts). Words read 0.4 s after the pulse and held
 *   0.9 s reached it 1.3 s after, and a loaded machine crossed the wait
 *   (ppsChrony.test.ts, a fixed 900 ms hold). So with the pulse watched the
 *   hold ends HANDOVER_BY_MS after the pulse at the latest, from the words'
 *   learned delay, and is the short one until that delay is learned.
 * - chrony's own PPS refclock locked to the NMEA samples (pulse set-up
 *   "kernel") pairs each pulse with the last sample no older than two
 *   pulses: a sample a second late leaves it a tenth of a second. The short
 *   hold there.
 * - Receiver control waits replyTimeoutMs (1 s) for an acknowledgement: for
 *   REPLY_WINDOW_MS after a write to the receiver, the short hold.
 *
 * Otherwise the long hold: a 9600-baud receiver's second of sentences (up
 * to ~900 ms on the wire) is one batch instead of two; chrony's SOCK
 * refclock takes a sample while it is younger than two of its polls (16 s
 * and more here).
 */

/** The hold while words are wanted soon: 600 ms leaves words read 0.4 s after the pulse 0.5 s short of the flywheel's wait. */
export const SHORT_HOLD_MS = 600;
/** Under a second, so a steady stream still comes once a second. */
export const LONG_HOLD_MS = 950;
/** With the pulse watched, words reach the associator by this long after their pulse: 0.4 s inside FLYWHEEL_WAIT_US. */
export const HANDOVER_BY_MS = 1100;
/** After a write to the receiver, replies are awaited for this long. */
export const REPLY_WINDOW_MS = 5000;
/** The words' delay is taken at its mean plus this many of its jitters. */
const JITTERS = 4;

export interface ReadHoldFacts {
  /** chrony reads the pulse itself, locked to the NMEA samples (chronyConf's pulse set-up "kernel"). */
  chronyPairsPulse: boolean;
  /** Whether the service watches a pulse, and if its associator is locked, the words' delay after it (negative: before) and jitter, µs. */
  pulse: { wordsAfterUs: number; jitterUs: number } | "learning" | "none";
  /** Milliseconds since the last write to the receiver (Infinity: none yet). */
  sinceWriteMs: number;
}

export function readHoldMs(f: ReadHoldFacts): number {
  if (f.chronyPairsPulse || f.sinceWriteMs < REPLY_WINDOW_MS || f.pulse === "learning") return SHORT_HOLD_MS;
  if (f.pulse === "none") return LONG_HOLD_MS;
  const latestWordsMs = (f.pulse.wordsAfterUs + JITTERS * f.pulse.jitterUs) / 1000;
  return Math.round(Math.min(LONG_HOLD_MS, Math.max(SHORT_HOLD_MS, HANDOVER_BY_MS - latestWordsMs)));
}
