/*
 * Turns an untimed capture (gpsd's test logs: NMEA text, UBX binary, '#'
 * comment lines) into the receiver's epochs, each a list of frames as raw
 * bytes. It uses the product's own framer and decoder, so what the replay
 * calls an epoch is what the service will.
 */
import { Framer } from "../gnss/framer.js";
import { decodeNmea } from "../gnss/nmea/decodeNmea.js";
import type { TimeOfDay } from "../gnss/report.js";
import { decodeUbx } from "../gnss/ubx/decodeUbx.js";

export interface CaptureFrame {
  bytes: Buffer;
  /** The NMEA text (without CRLF), for rewriting; undefined for UBX. */
  text?: string;
  timeOfDay?: TimeOfDay;
}

export interface CaptureEpoch {
  frames: CaptureFrame[];
  timeOfDay?: TimeOfDay;
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

const todKey = (t: TimeOfDay): number => ((t.hour * 60 + t.minute) * 61 + t.second) * 1e6 + t.micros;

export function splitEpochs(data: Buffer): CaptureEpoch[] {
  const epochs: CaptureEpoch[] = [];
  let cur: CaptureEpoch = { frames: [] };
  let curTow: number | undefined;
  const push = (f: CaptureFrame, tow?: number): void => {
    const t = f.timeOfDay;
    const newByTod = t && cur.timeOfDay && todKey(t) !== todKey(cur.timeOfDay);
    const newByTow = tow !== undefined && curTow !== undefined && tow !== curTow;
    if (newByTod || newByTow) {
      epochs.push(cur);
      cur = { frames: [] };
      curTow = undefined;
    }
    if (t && !cur.timeOfDay) cur.timeOfDay = t;
    if (tow !== undefined && curTow === undefined) curTow = tow;
    cur.frames.push(f);
  };
  const framer = new Framer({
    frame: (f) => {
      if (f.kind === "nmea") {
        const d = decodeNmea(f.text);
        push({ bytes: Buffer.from(f.text + "\r\n", "latin1"), text: f.text, ...(d.ok && d.report.timeOfDay ? { timeOfDay: d.report.timeOfDay } : {}) });
      } else {
        const header = Buffer.from([0xb5, 0x62, f.msgClass, f.msgId, f.payload.length & 0xff, f.payload.length >> 8]);
        let a = 0;
        let b = 0;
        for (const x of [...header.subarray(2), ...f.payload]) {
          a = (a + x) & 0xff;
          b = (b + a) & 0xff;
        }
        const d = decodeUbx(f.msgClass, f.msgId, f.payload);
        const tod = d.ok ? d.report.timeOfDay : undefined;
        push({ bytes: Buffer.concat([header, f.payload, Buffer.from([a, b])]), ...(tod ? { timeOfDay: tod } : {}) }, d.ok ? d.report.gpsTowMs : undefined);
      }
    },
    reject: () => undefined,
  });
  framer.push(stripComments(data), 0);
  framer.reset();
  if (cur.frames.length > 0) epochs.push(cur);
  return epochs;
}
