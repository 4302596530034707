/*
 * The framer's result does not depend on how the bytes were cut into reads:
 * a stream with every case in it (sentences, CR, a '$' inside a line, a
 * binary byte, an over-long line, noise, a UBX frame, a false UBX sync) gives
 * the same frames and the same rejections whole, byte by byte, and in reads
 * of every size from 1 to 97 bytes. Noise is counted per read (one rejection
 * for a run of garbage in a read), so runs cut by a read boundary are summed
 * before comparing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Frame, FramingReject } from "../../src/gnss/frame.js";
import { Framer, MAX_LINE } from "../../src/gnss/framer.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";

type Event = { frame: Omit<Frame, "rxUs"> } | { reject: FramingReject; bytes: number };

function run(stream: Buffer, cut: number): Event[] {
  const events: Event[] = [];
  const framer = new Framer({
    frame: ({ rxUs: _, ...f }) => events.push({ frame: f }),
    reject: (reason, bytes) => {
      const last = events.at(-1);
      if (reason === "garbage-bytes" && last && "reject" in last && last.reject === "garbage-bytes") last.bytes += bytes;
      else events.push({ reject: reason, bytes });
    },
  });
  for (let i = 0; i < stream.length; i += cut) framer.push(stream.subarray(i, i + cut), 0);
  return events;
}

const STREAM = Buffer.concat([
  Buffer.from("$GNRMC,171926.00,A,4404.14063,N,12118.85478,W,0.117,,180315,,,A*76\r\n", "latin1"),
  Buffer.from("noise before$GNVTG,,T,,M,0.117,N,0.216,K,A*3F\r\n", "latin1"),
  Buffer.from("$GNGGA,171926.00,4404.1$GNGSA,A,3,01,11,31,14,22,32,04,25,03,,,,1.56,0.91,1.27*15\r\n", "latin1"),
  Buffer.from("$GPGSV,4,1,13,01,53", "latin1"),
  Buffer.from([0x00, 0x01]),
  Buffer.from(`$P${"X".repeat(MAX_LINE + 10)}\r\n`, "latin1"),
  encodeUbx(0x01, 0x21, Buffer.alloc(20, 7)),
  Buffer.from([0xb5, 0x62, 0x01, 0x07, 0xff, 0xff]),
  Buffer.from("!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n", "latin1"),
  Buffer.from("$GNGLL,4404.14066,N,12118.85481,W,171925.00,A,A*66\r\n", "latin1"),
]);

test("framer: the same frames and rejections whatever the reads", () => {
  const whole = run(STREAM, STREAM.length);
  const kinds = new Set<string>(whole.map((e) => ("frame" in e ? e.frame.kind : e.reject)));
  for (const k of ["nmea", "ubx", "garbage-bytes", "line-truncated", "line-binary", "line-too-long", "ubx-bad-length"]) assert.ok(kinds.has(k), `the stream exercises ${k}: ${[...kinds].join(", ")}`);
  assert.equal(whole.filter((e) => "frame" in e && e.frame.kind === "nmea").length, 5);
  for (let cut = 1; cut < 98; cut++) assert.deepEqual(run(STREAM, cut), whole, `reads of ${cut} bytes`);
});
