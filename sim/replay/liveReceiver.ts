/*
 * A receiver whose story is decided while it is told: the caller says "from
 * now on, no fix" when what it waits for has happened (chrony locked for long
 * enough, a holdover past its trust time), rather than guessing durations on
 * a machine whose speed varies. Each second's state is fixed two seconds
 * ahead, before its epoch is written or its pulse due, so the sentences and
 * the pulse of one second always agree. The pulse comes only with a fix, as a
 * u-blox's time pulse does by default (no fix, no pulse).
 */
import type { Clock } from "../../src/hal/clock.js";
import type { FakeKernelPps } from "../fakes/fakeKernelPps.js";
import type { CaptureEpoch } from "./captureEpochs.js";
import { startPulses } from "./pulseGenerator.js";
import { storyTeller, type StoryPart } from "./receiverStory.js";
import { replay } from "./replayer.js";

export type ReceiverState = StoryPart["kind"];

export interface LiveReceiverOptions {
  capture: readonly CaptureEpoch[];
  feedPath: string;
  kernel: FakeKernelPps;
  clock: Clock;
  baud: number;
  /** Delay from the second to the first byte of its sentences. */
  delayMs: number;
  /** UBX NAV-TIMEUTC beside the NMEA: the receiver says when it vouches for its UTC. */
  vouches: boolean;
  /** The state it starts in, at `startSecond`. */
  first: ReceiverState;
  startSecond: number;
  /** Where the fake kernel stamps each edge after the true second, ns (default 1500). */
  phaseNs?: number;
}

export interface LiveReceiver {
  /** The receiver is in `state` from the returned second on (the second after next). */
  set(state: ReceiverState): number;
  stateAt(second: number): ReceiverState;
  /** The seconds at which the state changed, the first included. */
  readonly changes: ReadonlyArray<{ from: number; state: ReceiverState }>;
  stop(): Promise<void>;
}

export function startLiveReceiver(opts: LiveReceiverOptions): LiveReceiver {
  const changes: Array<{ from: number; state: ReceiverState }> = [{ from: opts.startSecond, state: opts.first }];
  const stateAt = (second: number): ReceiverState => {
    let s = changes[0]!.state;
    for (const c of changes) if (c.from <= second) s = c.state;
    return s;
  };
  const next = storyTeller(opts.capture, { vouches: opts.vouches });
  const abort = new AbortController();
  const pulses = startPulses({ clock: opts.clock, kernel: opts.kernel, phaseNs: () => opts.phaseNs ?? 1500, pulse: (s) => s >= opts.startSecond && stateAt(s) === "fix" });
  const replaying = replay(
    (_, second) => next(stateAt(second)),
    { feedPath: opts.feedPath, baud: opts.baud, delayMs: opts.delayMs, startSecond: opts.startSecond, rewrite: true, clock: opts.clock },
    abort.signal,
  );
  replaying.catch(() => undefined);
  return {
    changes,
    stateAt,
    set(state) {
      // Epoch k is built about a second before it is written, after epoch k-1 went out: two seconds ahead is never late.
      const from = Math.floor(opts.clock.realtimeUs() / 1e6) + 2;
      changes.push({ from, state });
      return from;
    },
    async stop() {
      abort.abort();
      pulses.stop();
      await replaying.catch(() => undefined);
    },
  };
}
