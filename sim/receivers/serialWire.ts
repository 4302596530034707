/*
 * The wire between the Pi's UART and a simulated receiver, on the caller's
 * Clock: bytes take 10 bit-times each at the sender's rate, the receiver
 * answers a few milliseconds after a command, and its epoch starts shortly
 * after the pulse. A UART listening at another rate than the sender's does
 * not see the bytes: it sees framing errors and junk, about listen/sent as
 * many bytes. That is modelled as deterministic pseudo-random bytes, in
 * both directions, so a host at the wrong rate hears noise and a receiver
 * spoken to at the wrong rate hears nothing it understands.
 * The port implements the product's ReceiverLink, so the configurator
 * under test drives it exactly as it would drive /dev/serial0.
 */
import type { Clock } from "../../src/hal/clock.js";
import type { ReceiverLink } from "../../src/hal/receiverLink.js";
import type { SimulatedReceiver, Transmission } from "./simulatedReceiver.js";
import type { SkyState } from "./skyState.js";

/** What a UART at listenBaud makes of bytes sent at sentBaud. */
export function garble(bytes: Buffer, sentBaud: number, listenBaud: number, seed: number): Buffer {
  if (sentBaud === listenBaud) return bytes;
  const n = Math.max(bytes.length > 0 ? 1 : 0, Math.round((bytes.length * listenBaud) / sentBaud));
  const out = Buffer.alloc(n);
  let x = (seed ^ (sentBaud * 31 + listenBaud)) >>> 0 || 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x ^ (bytes[Math.floor((i * sentBaud) / listenBaud)] ?? 0)) & 0xff;
  }
  return out;
}

export interface WireOptions {
  /** The host's rate at the start. */
  hostBaud: number;
  /** From a command's last byte to the receiver's answer. */
  replyLatencyMs?: number;
  /** From the pulse to the epoch's first byte (u-blox: tens of ms). */
  epochDelayMs?: number;
}

const byteMs = (n: number, baud: number): number => (n * 10 * 1000) / baud;

export class SimulatedSerialPort implements ReceiverLink {
  baud: number;
  /** Unplugged: nothing crosses in either direction. */
  connected = true;
  readonly counts = { hostBytes: 0, receiverBytes: 0, garbledToHost: 0, garbledToReceiver: 0 };
  private txFreeMs = 0;
  private rxFreeMs = 0;
  private seed = 1;
  private readonly replyLatencyMs: number;
  private readonly epochDelayMs: number;

  constructor(
    private readonly clock: Clock,
    readonly receiver: SimulatedReceiver,
    /** The host side's reader: the chunk and when its last byte arrived (CLOCK_REALTIME µs). */
    private readonly deliver: (chunk: Buffer, rxUs: number) => void,
    o: WireOptions,
  ) {
    this.baud = o.hostBaud;
    this.replyLatencyMs = o.replyLatencyMs ?? 5;
    this.epochDelayMs = o.epochDelayMs ?? 40;
  }

  // ---- ReceiverLink --------------------------------------------------------------------------

  write(bytes: Buffer): Promise<void> {
    const now = this.clock.monotonicMs();
    const start = Math.max(now, this.txFreeMs);
    const sentAt = this.baud;
    const doneMs = start + byteMs(bytes.length, sentAt);
    this.txFreeMs = doneMs;
    this.counts.hostBytes += bytes.length;
    return new Promise<void>((resolve) => {
      this.clock.after(doneMs - now, () => {
        if (this.connected) {
          const heard = garble(bytes, sentAt, this.receiver.baud, this.seed++);
          if (heard !== bytes) this.counts.garbledToReceiver += heard.length;
          this.transmit(this.receiver.write(heard), this.replyLatencyMs);
        }
        resolve();
      });
    });
  }

  async setBaud(baud: number): Promise<void> {
    this.baud = baud;
  }

  // ---- the receiver's side -------------------------------------------------------------------

  /** The epoch of this true UTC second (its pulse has just been given) goes out now. */
  epoch(utcSecond: number, sky: SkyState): void {
    const bytes = this.receiver.epoch(utcSecond, sky);
    if (bytes.length > 0) this.transmit([{ bytes, baud: this.receiver.baud }], this.epochDelayMs);
  }

  /** Bytes the receiver sends unprompted (a boot banner after a power cycle). */
  send(t: Transmission[]): void {
    this.transmit(t, this.replyLatencyMs);
  }

  private transmit(parts: Transmission[], afterMs: number): void {
    const now = this.clock.monotonicMs();
    let at = Math.max(now + afterMs, this.rxFreeMs);
    for (const t of parts) {
      const done = at + byteMs(t.bytes.length, t.baud);
      this.rxFreeMs = done;
      at = done;
      this.clock.after(done - now, () => {
        if (!this.connected) return;
        // The host's UART samples at the rate it has when the bytes arrive.
        const heard = garble(t.bytes, t.baud, this.baud, this.seed++);
        if (heard !== t.bytes) this.counts.garbledToHost += heard.length;
        this.counts.receiverBytes += t.bytes.length;
        this.deliver(heard, this.clock.realtimeUs());
      });
    }
  }
}
