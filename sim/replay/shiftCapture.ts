/*
 * A capture moved in time by a whole number of seconds: record times, edge
 * truths, and the receiver's own words (NMEA and UBX time fields), so an old
 * capture replays as if the receiver were speaking now. Whole seconds keep
 * each byte's phase within its second, which is what the service measures.
 *
 * The words are found in the joined serial stream, not per record, because a
 * read() may end in the middle of a sentence. Only sentences and frames whose
 * checksum is right are rewritten (in place: the rewrite keeps lengths);
 * noise stays noise, byte for byte.
 */
import { splitSentence } from "../../src/gnss/nmea/sentence.js";
import { ubxChecksum } from "../../src/gnss/ubx/frame.js";
import type { Capture, CaptureRecord } from "../../src/capture/captureFormat.js";
import { shiftNmea, shiftUbx } from "./retime.js";

const NMEA_MAX = 100;

/** A sentence the service would accept (the decoder's own check), and only one: a '$' inside means two run together. */
const nmeaValid = (line: string): boolean => line.startsWith("$") && line.indexOf("$", 1) < 0 && splitSentence(line).ok;

/** Rewrites every well-formed sentence and frame of `bytes` in place, moved by deltaS. */
export function shiftStream(bytes: Buffer, deltaS: number): void {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x24) {
      const nl = bytes.indexOf(0x0a, i);
      if (nl > i && nl - i <= NMEA_MAX) {
        const end = bytes[nl - 1] === 0x0d ? nl - 1 : nl;
        const line = bytes.toString("latin1", i, end);
        if (nmeaValid(line)) {
          const moved = shiftNmea(line, deltaS);
          if (moved.length === line.length) bytes.write(moved, i, "latin1");
          i = nl + 1;
          continue;
        }
      }
    } else if (b === 0xb5 && bytes[i + 1] === 0x62 && i + 6 <= bytes.length) {
      const len = bytes.readUInt16LE(i + 4);
      const end = i + 8 + len;
      if (end <= bytes.length) {
        const [a, c] = ubxChecksum(bytes.subarray(i + 2, end - 2));
        if (a === bytes[end - 2] && c === bytes[end - 1]) {
          shiftUbx(bytes.subarray(i, end), deltaS).copy(bytes, i);
          i = end;
          continue;
        }
      }
    }
    i += 1;
  }
}

export function shiftCapture(capture: Capture, deltaS: number): Capture {
  if (!Number.isInteger(deltaS)) throw new Error(`captures move by whole seconds, not ${deltaS}`);
  const serial = capture.records.filter((r): r is Extract<CaptureRecord, { kind: "serial" }> => r.kind === "serial");
  const joined = Buffer.concat(serial.map((r) => r.bytes));
  shiftStream(joined, deltaS);
  let at = 0;
  const movedBytes = new Map<CaptureRecord, Buffer>();
  for (const r of serial) {
    movedBytes.set(r, joined.subarray(at, at + r.bytes.length));
    at += r.bytes.length;
  }
  const records = capture.records.map((r): CaptureRecord => {
    const moved = { sec: r.at.sec + deltaS, nsec: r.at.nsec };
    if (r.kind === "serial") return { ...r, at: moved, bytes: Buffer.from(movedBytes.get(r)!) };
    if (r.kind === "assert" && typeof r.truth === "number") return { ...r, at: moved, truth: r.truth + deltaS };
    return { ...r, at: moved };
  });
  return { header: { ...capture.header, shifted: `${deltaS} s` }, records };
}
