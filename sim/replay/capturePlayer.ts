/*
 * Plays a capture's records out through a back end at the moments they
 * happened. The box being tested may run on a clock of its own (a capture
 * replayed at its own dates runs the box under libfaketime): `boxAheadS` is
 * how far the box's clock is ahead of this process's, so a record stamped T
 * on the box's clock goes out when this clock reads T - boxAheadS.
 */
import type { CaptureRecord } from "../../src/capture/captureFormat.js";
import type { Clock } from "../../src/hal/clock.js";
import type { ReplayBackend } from "./replayBackend.js";

export interface PlayOptions {
  clock: Clock;
  boxAheadS: number;
  backend: ReplayBackend;
  /** chrony-restart and anything else that is not the back end's to do; it must not hold up the records after it. */
  onEvent(record: Extract<CaptureRecord, { kind: "event" }>): void;
  /** After each record went out (the judge's timeline). */
  played?(record: CaptureRecord, atUs: number): void;
  signal?: AbortSignal;
}

/**
 * Sleeps until targetUs on the clock, without spinning: a record goes out up
 * to a millisecond or two late, which moves no label (the capture's stamps
 * are its own) and leaves the CPU to the box under test, several of which
 * may run side by side.
 */
function sleepUntil(clock: Clock, targetUs: number): Promise<void> {
  const ms = (targetUs - clock.realtimeUs()) / 1000;
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.after(ms, resolve));
}

export async function playCapture(records: readonly CaptureRecord[], opts: PlayOptions): Promise<void> {
  const { backend, clock } = opts;
  for (let i = 0; i < records.length && !opts.signal?.aborted; i++) {
    const r = records[i]!;
    await sleepUntil(clock, (r.at.sec - opts.boxAheadS) * 1e6 + r.at.nsec / 1000);
    if (opts.signal?.aborted) return;
    switch (r.kind) {
      case "serial": {
        await backend.serial(r.bytes);
        // The bytes of one record left back to back; the line is taken as idle between records.
        backend.lineIdle();
        break;
      }
      case "assert":
        backend.assert(r.at, r.seq);
        break;
      case "clear":
        backend.clear(r.at, r.seq);
        break;
      case "event":
        if (r.event === "unplug") await backend.unplug();
        else if (r.event === "replug") await backend.replug();
        else if (r.event === "baud") await backend.setTransmitBaud(Number(r.args));
        else opts.onEvent(r);
        break;
    }
    opts.played?.(r, clock.realtimeUs());
  }
}
