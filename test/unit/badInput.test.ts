/*
 * Bad input: each kind is counted under its reason, logged, never crashes,
 * never grows memory without bound, and the next good sentence is used.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { offlinePipeline } from "../support/offline.js";

const T0 = Date.parse("2026-11-21T12:00:00Z") / 1000;

function rmc(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    withChecksum(
      `$GPRMC,${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.00,A,4807.038,N,01131.000,E,0.0,0.0,${p(d.getUTCDate())}${p(d.getUTCMonth() + 1)}${p(d.getUTCFullYear() % 100)},,,A`,
    ) + "\r\n"
  );
}

/** Feeds good epochs k = from..to-1, each 1 s apart, the RMC arriving 150 ms after its second. */
function feed(p: ReturnType<typeof offlinePipeline>["pipeline"], from: number, to: number, extra?: (k: number) => Buffer | undefined) {
  for (let k = from; k < to; k++) {
    const rx = (T0 + k) * 1e6 + 150_000;
    const junk = extra?.(k);
    if (junk) p.push(junk, rx - 50_000);
    p.push(Buffer.from(rmc(T0 + k)), rx);
  }
}

test("garbage, truncated sentences, bad checksums and wrong-baud bursts are counted; every good RMC after them is still used", () => {
  const o = offlinePipeline();
  const badCk = rmc(T0).replace(/\*..\r\n$/, "*00\r\n");
  const wrongBaud = Buffer.from(Array.from({ length: 400 }, (_, i) => [0xe6, 0x9e, 0x18, 0x78, 0x80, 0xfe][i % 6]!));
  const junk: Record<number, Buffer> = {
    4: Buffer.from("\x00\x13\xffnoise\x07"),
    5: Buffer.from("$GPGGA,120005.00,4807.0"), // cut short by the next '$'
    6: Buffer.from(badCk),
    7: wrongBaud,
    8: Buffer.from("$GPRMC,120008.00,A,4807.038,N,01131.000,E,0.0,0.0,211126,,,A\r\n"), // no checksum
  };
  feed(o.pipeline, 0, 12, (k) => junk[k]);
  assert.equal(o.health.framing["line-truncated"], 1);
  assert.ok((o.health.framing["garbage-bytes"] ?? 0) + (o.health.framing["line-binary"] ?? 0) >= 2, JSON.stringify(o.health.framing));
  assert.equal(o.health.decode["bad-checksum"], 1);
  assert.equal(o.health.decode["missing-checksum"], 1);
  // settle (3 epochs) then every epoch labelled, the junk notwithstanding
  assert.deepEqual(
    o.sink.samples.map((s) => s.utcSecond),
    Array.from({ length: 10 }, (_, i) => T0 + 2 + i),
  );
  assert.ok(
    o.logLines.some((l) => l.includes("bad-checksum") && l.includes("noise on the line")),
    "the first bad checksum is logged with its cause",
  );
});

test("a 1 MB line without newline is dropped with bounded memory and the next sentence is used", () => {
  const o = offlinePipeline();
  feed(o.pipeline, 0, 4);
  const before = process.memoryUsage().heapUsed;
  const mb = Buffer.alloc(1 << 20, "A".charCodeAt(0));
  mb[0] = "$".charCodeAt(0);
  for (let i = 0; i < 16; i++) o.pipeline.push(mb.subarray(i * 65536, (i + 1) * 65536), (T0 + 4) * 1e6 + i);
  const grown = process.memoryUsage().heapUsed - before;
  feed(o.pipeline, 5, 8);
  assert.equal(o.health.framing["line-too-long"], 1, JSON.stringify(o.health.framing));
  assert.ok(grown < 512 * 1024, `heap grew ${grown} bytes while a 1 MB line streamed through`);
  assert.ok(
    o.sink.samples.some((s) => s.utcSecond === T0 + 5),
    "the RMC after the long line was used",
  );
});

test("a UBX frame between two NMEA sentences loses neither sentence; a corrupt UBX frame does not swallow the NMEA after it", () => {
  const o = offlinePipeline();
  const good = encodeUbx(0x0a, 0x08, Buffer.from("AB"));
  const corrupt = Buffer.concat([Buffer.from([0xb5, 0x62, 0x01, 0x07, 0x40, 0x00]), Buffer.from(rmc(T0 + 3))]); // claims 64 bytes, the RMC follows
  feed(o.pipeline, 0, 6, (k) => (k === 2 ? good : k === 3 ? corrupt : undefined));
  assert.equal(o.health.counts.ubxFrames, 1);
  assert.equal(o.health.unsupported["UBX-0a-08"], 1, "MON-TXBUF counted as unsupported, not as an error");
  assert.ok(
    o.sink.samples.some((s) => s.utcSecond === T0 + 3),
    "the RMC after a false UBX header was recovered",
  );
  assert.ok(o.sink.samples.some((s) => s.utcSecond === T0 + 5));
});

test("proprietary and unknown sentences (PUBX, PMTK, GNTXT) do not crash and are counted by name", () => {
  const o = offlinePipeline();
  feed(o.pipeline, 0, 5, (k) =>
    k === 1
      ? Buffer.from(withChecksum("$PUBX,04,120001.00,211126,302401.00,2238,18,-1234,-5.0,21") + "\r\n" + withChecksum("$PMTK010,001") + "\r\n" + withChecksum("$GNTXT,01,01,02,ANTSTATUS=OK") + "\r\n")
      : undefined,
  );
  assert.equal(o.health.unsupported.PUBX, 1);
  assert.equal(o.health.unsupported.PMTK010, 1);
  assert.ok(o.logLines.some((l) => l.includes("receiver says: ANTSTATUS=OK")));
  assert.equal(o.sink.samples.length, 3);
});
