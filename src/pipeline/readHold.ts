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
 * Otherwise (no pulse watched: an NMEA-only box) nobody waits on the words:
 * they are taken at the status tick, once a second (main.ts), so the
 * service wakes once a second for both, not once for the tick and once
 * more when the line goes quiet (each wake-up of its loop costs ~110 µs on
 * this project's machine, docs/bench.md). A 9600-baud receiver's second of
 * sentences (up to ~900 ms on the wire) is one batch; a read waits at most
 * the tick's period, TICK_HOLD_NET_MS should the tick be late. chrony's SOCK
 * refclock takes a sample while it is younger than two of its polls (32 s
 * for NMEA at poll 4), and dates it by its stamp.
 */

/** The hold while words are wanted soon: 600 ms leaves words read 0.4 s after the pulse 0.5 s short of the flywheel's wait. */
export const SHORT_HOLD_MS = 600;
/** Reads taken at the status tick wait at most its period... */
export const TICK_PERIOD_MS = 1000;
/** ...or this, should the tick be late (the source hands them over by itself then). */
export const TICK_HOLD_NET_MS = 1500;
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

export interface ReadHold {
  /** The longest a read is held before the source hands it over by itself. */
  ms: number;
  /** The composition takes the reads at its status tick (ByteSource.takeHeld); the line going quiet hands nothing over. */
  takenAtTick: boolean;
}

export function readHold(f: ReadHoldFacts): ReadHold {
  const wantedSoon = f.chronyPairsPulse || f.pulseWatched || f.sinceWriteMs < REPLY_WINDOW_MS;
  return wantedSoon ? { ms: SHORT_HOLD_MS, takenAtTick: false } : { ms: TICK_HOLD_NET_MS, takenAtTick: true };
}
