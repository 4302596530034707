/*
 * Splitting a receiver's byte stream into NMEA sentences and UBX frames.
 *
 * The problem (gpsd's packet.c tells it at length): a serial line delivers
 * bytes, not messages. Reads start mid-sentence, one read holds several
 * sentences or a fraction of one, u-blox receivers interleave binary UBX
 * frames with the NMEA text, and a wrong baud rate or a loose wire turns the
 * stream into noise that may never contain a newline. So:
 *  - a sentence starts at '$' or '!' and ends at LF; it may only contain
 *    printable ASCII (a binary byte means it was corrupted, and 0xB5 may be
 *    the start of a UBX frame that cut it short);
 *  - a '$' inside a sentence means the previous one was truncated: drop it,
 *    start again, lose nothing after it;
 *  - a UBX frame is B5 62 class id len16le payload ck_a ck_b; an absurd
 *    length or a bad checksum means the sync bytes were payload or noise, so
 *    we resume hunting right after the B5 and find whatever follows;
 *  - everything is bounded: a line longer than MAX_LINE is dropped at once, so 1 MB
 *    without a newline costs MAX_LINE bytes of memory, not 1 MB.
 * Every frame carries the realtime stamp of the read that completed it: the
 * chunk's arrival time, taken by the byte source before any parsing.
 */
import type { Frame, FramingReject } from "./frame.js";
import type { LineRun } from "../hal/lineRun.js";
import { jsLineRun } from "./lineRun.js";
import { ubxChecksum } from "./ubx/frame.js";

/** NMEA 0183 says 82; proprietary sentences (PUBX, PMTK) run longer. */
export const MAX_LINE = 256;
/** Larger than any UBX message a timing receiver sends in normal operation (NAV-SAT with 100+ SVs). */
export const MAX_UBX_PAYLOAD = 4096;

export interface FramerSink {
  frame(frame: Frame): void;
  reject(reason: FramingReject, bytes: number): void;
}

enum State {
  Hunt,
  Line,
  UbxSync2,
  UbxHeader,
  UbxBody,
}

export class Framer {
  private state = State.Hunt;
  private line = Buffer.alloc(MAX_LINE);
  private lineLen = 0;
  /** XOR of the line's bytes after its first: with the last three ('*hh') taken out, the checksum's due value. */
  private lineXor = 0;
  private ubxHeader = Buffer.alloc(4);
  private ubxHeaderLen = 0;
  private ubxBody: Buffer = Buffer.alloc(0);
  private ubxBodyLen = 0;
  private garbageRun = 0;

  constructor(
    private readonly sink: FramerSink,
    private readonly run: LineRun = jsLineRun,
  ) {}

  push(chunk: Buffer, rxUs: number): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === State.Line) i = this.lineRun(chunk, i, rxUs);
      else this.byte(chunk[i++]!, rxUs);
    }
    // Noise is reported per read, not per byte, so a noisy line costs one count per chunk.
    this.flushGarbage();
  }

  /**
   * A sentence's plain characters copied in one call (lineRun.ts): they are nearly all the stream. The
   * first byte that is not one (end of line, '$', CR, binary, one too many) goes to lineByte. Returns
   * the index after the bytes consumed.
   */
  private lineRun(chunk: Buffer, from: number, rxUs: number): number {
    const to = Math.min(chunk.length, from + MAX_LINE - this.lineLen);
    const r = this.run(chunk, from, to, this.line, this.lineLen);
    const x = r & 0xff;
    const i = (r - x) / 256;
    this.lineLen += i - from;
    this.lineXor ^= x;
    if (i < chunk.length) {
      this.lineByte(chunk[i]!, rxUs);
      return i + 1;
    }
    return i;
  }

  /** Drops any partial frame, e.g. when the device is reopened. */
  reset(): void {
    if (this.state === State.Line && this.lineLen > 0) this.sink.reject("line-truncated", this.lineLen);
    this.state = State.Hunt;
    this.lineLen = 0;
    this.flushGarbage();
  }

  private flushGarbage(): void {
    if (this.garbageRun > 0) {
      this.sink.reject("garbage-bytes", this.garbageRun);
      this.garbageRun = 0;
    }
  }

  private byte(b: number, rxUs: number): void {
    switch (this.state) {
      case State.Hunt:
        this.hunt(b);
        return;
      case State.Line:
        this.lineByte(b, rxUs);
        return;
      case State.UbxSync2:
        if (b === 0x62) {
          this.state = State.UbxHeader;
          this.ubxHeaderLen = 0;
        } else {
          this.garbageRun += 1;
          this.state = State.Hunt;
          this.hunt(b);
        }
        return;
      case State.UbxHeader:
        this.ubxHeader[this.ubxHeaderLen++] = b;
        if (this.ubxHeaderLen === 4) {
          const len = this.ubxHeader.readUInt16LE(2);
          if (len > MAX_UBX_PAYLOAD) {
            this.sink.reject("ubx-bad-length", 6);
            this.rehunt(this.ubxHeader.subarray(0, 4), rxUs);
            return;
          }
          this.ubxBody = Buffer.alloc(len + 2);
          this.ubxBodyLen = 0;
          this.state = State.UbxBody;
        }
        return;
      case State.UbxBody:
        this.ubxBody[this.ubxBodyLen++] = b;
        if (this.ubxBodyLen === this.ubxBody.length) this.finishUbx(rxUs);
        return;
    }
  }

  private hunt(b: number): void {
    if (b === 0x24 /* $ */ || b === 0x21 /* ! */) {
      this.flushGarbage();
      this.startLine(b);
    } else if (b === 0xb5) {
      this.flushGarbage();
      this.state = State.UbxSync2;
    } else if (b !== 0x0a && b !== 0x0d) {
      this.garbageRun += 1;
    }
  }

  private startLine(b: number): void {
    this.state = State.Line;
    this.line[0] = b;
    this.lineLen = 1;
    this.lineXor = 0;
  }

  private lineByte(b: number, rxUs: number): void {
    if (b === 0x0a) {
      this.finishLine(rxUs);
      return;
    }
    if (b === 0x24 || b === 0x21) {
      this.sink.reject("line-truncated", this.lineLen);
      this.startLine(b);
      return;
    }
    if (b === 0x0d) return;
    if (b < 0x20 || b > 0x7e) {
      this.sink.reject("line-binary", this.lineLen + 1);
      this.lineLen = 0;
      this.state = State.Hunt;
      if (b === 0xb5) this.state = State.UbxSync2;
      return;
    }
    if (this.lineLen < MAX_LINE) {
      this.line[this.lineLen++] = b;
      this.lineXor ^= b;
      return;
    }
    // Too long to be a sentence: report it now and hunt, so the rest counts as noise and the next '$' starts afresh.
    this.sink.reject("line-too-long", this.lineLen + 1);
    this.lineLen = 0;
    this.state = State.Hunt;
  }

  private finishLine(rxUs: number): void {
    this.state = State.Hunt;
    this.sink.frame({ kind: "nmea", text: this.line.toString("latin1", 0, this.lineLen), xor: this.lineXor, rxUs });
    this.lineLen = 0;
  }

  private finishUbx(rxUs: number): void {
    const body = this.ubxBody;
    const len = body.length - 2;
    const [a, c] = ubxChecksum([...this.ubxHeader, ...body.subarray(0, len)]);
    this.state = State.Hunt;
    if (a !== body[len] || c !== body[len + 1]) {
      this.sink.reject("ubx-bad-checksum", len + 8);
      // The sync was false or the frame corrupt: what we swallowed may hold real sentences.
      this.rehunt(Buffer.concat([this.ubxHeader, body]), rxUs);
      return;
    }
    this.sink.frame({
      kind: "ubx",
      msgClass: this.ubxHeader[0]!,
      msgId: this.ubxHeader[1]!,
      payload: Buffer.from(body.subarray(0, len)),
      rxUs,
    });
  }

  /** Re-scans bytes consumed by a false UBX sync (bounded by MAX_UBX_PAYLOAD). */
  private rehunt(bytes: Buffer, rxUs: number): void {
    this.state = State.Hunt;
    for (const b of bytes) this.byte(b, rxUs);
  }
}
