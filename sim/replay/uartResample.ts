/*
 * What a UART listening at one baud rate makes of bytes sent at another: the
 * simulated serial line for "the receiver changed its baud rate". A pty has
 * no baud rate, so without this a baud mismatch could not be replayed.
 *
 * The model is the line itself: each sent byte is a start bit (0), eight data
 * bits LSB first and a stop bit (1), back to back within one write; the line
 * idles at 1. The receiver waits for a falling edge, checks the start bit at
 * its middle, samples the data bits and the stop bit at their middles at its
 * own rate, then waits for the next falling edge. A stop bit read as 0 is a
 * framing error, which Linux hands to a raw-mode reader as a NUL byte
 * (termios: neither IGNPAR nor PARMRK set).
 */

export class UartLine {
  /** Bits sent and not yet decided on, as [start time in tx bit units..]: kept as a bit array at the sender's rate. */
  private bits: number[] = [];
  /** Index (fractional, in sender bit times) where the receiver's scan resumes. */
  private pos = 0;

  constructor(
    private readonly txBaud: number,
    private readonly rxBaud: number,
  ) {}

  /** Bytes written back to back; returns what the receiver has decoded so far. */
  send(bytes: Uint8Array): Buffer {
    for (const b of bytes) {
      this.bits.push(0);
      for (let i = 0; i < 8; i++) this.bits.push((b >> i) & 1);
      this.bits.push(1);
    }
    return this.decode(false);
  }

  /** The sender went quiet: the line idles high, so a byte in progress completes. */
  idle(): Buffer {
    return this.decode(true);
  }

  private decode(flush: boolean): Buffer {
    const out: number[] = [];
    const ratio = this.txBaud / this.rxBaud; // sender bits per receiver bit
    const level = (t: number): number => {
      const i = Math.floor(t);
      return i < this.bits.length ? this.bits[i]! : 1;
    };
    for (;;) {
      // Find a falling edge: the first 0 at or after pos.
      let i = Math.ceil(this.pos - 1e-9);
      while (i < this.bits.length && this.bits[i] !== 0) i++;
      if (i >= this.bits.length) {
        this.pos = this.bits.length;
        break;
      }
      const start = i;
      const frameEnd = start + 9.5 * ratio;
      if (frameEnd >= this.bits.length && !flush) {
        this.pos = start;
        break;
      }
      if (level(start + 0.5 * ratio) !== 0) {
        this.pos = start + 1;
        continue;
      }
      let byte = 0;
      for (let k = 0; k < 8; k++) byte |= level(start + (1.5 + k) * ratio) << k;
      out.push(level(frameEnd) === 1 ? byte : 0);
      // The receiver looks for the next start bit once the stop bit's middle has passed.
      this.pos = frameEnd;
    }
    const keep = Math.floor(this.pos);
    this.bits = this.bits.slice(keep);
    this.pos -= keep;
    return Buffer.from(out);
  }
}
