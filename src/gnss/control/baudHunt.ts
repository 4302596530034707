/*
 * Finding the receiver's rate when nothing decodes at the configured one.
 * A receiver at another rate looks like noise: bytes that never frame, or
 * framing errors the UART turns into junk. So each candidate rate is tried
 * in turn: switch the host, provoke the receiver (a MON-VER poll and a
 * PMTK605, harmless to anyone who does not understand them, so a receiver
 * whose periodic output is off still answers), and listen long enough for
 * one navigation epoch. Two checksummed frames settle it; the bytes of the
 * old rate still in flight cannot pass a checksum.
 */
import type { OutputTally } from "./outputTally.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { ReplyWaiter } from "./replyWaiter.js";

export interface BaudTrial {
  baud: number;
  frames: number;
  garbageBytes: number;
}

export interface BaudHuntResult {
  found: number | undefined;
  configured: number | "auto";
  trials: BaudTrial[];
  /** One sentence: what was found and what to do about it. */
  detail: string;
}

export interface HuntOptions {
  /** The rate tried first: the one the host is at. */
  start: number;
  /** serial.baud, for what the result tells the owner. */
  configured: number | "auto";
  candidates: readonly number[];
  /** How long to listen at each rate: a little more than one epoch. */
  listenMs: number;
  /** Frames sent at each rate to make a quiet receiver speak. */
  probes: readonly Buffer[];
}

export async function huntBaud(link: ReceiverLink, tally: OutputTally, waiter: ReplyWaiter, o: HuntOptions): Promise<BaudHuntResult> {
  const first = typeof o.configured === "number" ? [o.start, o.configured] : [o.start];
  const order = [...new Set([...first, ...o.candidates])];
  const trials: BaudTrial[] = [];
  for (const baud of order) {
    await link.setBaud(baud);
    tally.reset();
    for (const p of o.probes) await link.write(p);
    await waiter.sleep(o.listenMs);
    trials.push({ baud, frames: tally.frames, garbageBytes: tally.garbageBytes });
    if (tally.frames >= 2) {
      const detail =
        o.configured === "auto"
          ? `receiver found at ${baud} baud (serial.baud = auto)`
          : baud === o.configured
            ? `receiver answers at the configured ${baud} baud`
            : `receiver found at ${baud} baud, not the configured ${o.configured}: using ${baud} (set serial.baud = ${baud}, or auto, to start there)`;
      return { found: baud, configured: o.configured, trials, detail };
    }
  }
  const noisy = trials.filter((t) => t.garbageBytes > 0).map((t) => t.baud);
  const detail =
    noisy.length > 0
      ? `no rate of ${order.join(", ")} baud decodes (bytes arrive at ${noisy.join(", ")} but never frame): check the receiver's protocol (NMEA/UBX) and 8N1 framing, or a noisy line`
      : `nothing arrives at ${order.join(", ")} baud: check the receiver's power and the wire from its TX to the Pi's RX`;
  await link.setBaud(o.start);
  return { found: undefined, configured: o.configured, trials, detail };
}
