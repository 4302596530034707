/*
 * Turns an untimed capture (gpsd's test logs: NMEA text, UBX binary, '#'
 * comment lines) into the receiver's epochs, each a list of frames as raw
 * bytes. It uses the product's own framer and decoder, so what the replay
 * calls an epoch is what the service will.
 */
import { Framer } from "../../src/gnss/framer.js";
import { decodeNmea } from "../../src/gnss/nmea/decodeNmea.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { EpochAssembler } from "../../src/gnss/epochAssembler.js";
import type { Decoded } from "../../src/gnss/report.js";

export interface CaptureFrame {
  bytes: Buffer;
  /** The NMEA text (without CRLF), for rewriting; undefined for UBX. */
  text?: string;
}

export interface CaptureEpoch {
  frames: CaptureFrame[];
}

/** Drops the submitter's '#' comment lines, which are not receiver output. */
export function stripComments(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    end = end < 0 ? data.length : end + 1;
    if (data[start] !== 0x23) parts.push(data.subarray(start, end));
    start = end;
  }
  return Buffer.concat(parts);
}

/**
 * Epoch boundaries come from the product's own EpochAssembler: a frame that
 * makes it open a new epoch starts a new replay epoch; frames without a report
 * (unsupported, undecodable) stay with the epoch they arrived in.
 */
export function splitEpochs(data: Buffer): CaptureEpoch[] {
  const epochs: CaptureEpoch[] = [];
  let cur: CaptureEpoch = { frames: [] };
  let opened = false;
  const assembler = new EpochAssembler({
    timeReady: () => undefined,
    closed: () => {
      opened = true;
    },
  });
  const push = (f: CaptureFrame, d: Decoded): void => {
    if (d.ok) {
      opened = false;
      assembler.add(d.report, 0);
      if (opened && cur.frames.length > 0) {
        epochs.push(cur);
        cur = { frames: [] };
      }
    }
    cur.frames.push(f);
  };
  const framer = new Framer({
    frame: (f) => {
      if (f.kind === "nmea") {
        push({ bytes: Buffer.from(f.text + "\r\n", "latin1"), text: f.text }, decodeNmea(f.text));
      } else {
        push({ bytes: encodeUbx(f.msgClass, f.msgId, f.payload) }, decodeUbx(f.msgClass, f.msgId, f.payload));
      }
    },
    reject: () => undefined,
  });
  framer.push(stripComments(data), 0);
  framer.reset();
  if (cur.frames.length > 0) epochs.push(cur);
  return epochs;
}
