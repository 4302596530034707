/*
 * The tests' NTP client (sim/sntpClient.ts) against hand-built packets and a
 * small UDP server in the test: fields read where RFC 5905 puts them, the
 * offset's sign (a server ahead gives a positive offset, as ntpdate prints
 * it), a kiss-o'-death told from chrony's unsynchronised answer, and answers
 * that echo no request of ours ignored.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { askNtp, describeAnswer, ntpRequest, ntpTimestamp, parseNtpPacket, queryNtp } from "../../sim/sntpClient.js";

const NTP_1970 = 2_208_988_800n;

test("NTP timestamps: seconds since 1900 and a 32-bit fraction", () => {
  assert.equal(ntpTimestamp(0), NTP_1970 << 32n);
  assert.equal(ntpTimestamp(1_500_000), ((NTP_1970 + 1n) << 32n) | 0x80000000n);
  const req = ntpRequest(ntpTimestamp(1_500_000));
  assert.equal(req.length, 48);
  assert.equal(req[0], 0b00_100_011, "LI 0, version 4, mode 3");
  assert.equal(req.readBigUInt64BE(40), ntpTimestamp(1_500_000));
  assert.equal(req.subarray(0, 40).filter((b) => b !== 0).length, 1, "nothing else of the client's is sent");
});

test("an answer's fields, read where RFC 5905 puts them", () => {
  const b = Buffer.alloc(48);
  b[0] = (1 << 6) | (4 << 3) | 4;
  b[1] = 1;
  b.writeInt8(6, 2);
  b.writeInt8(-25, 3);
  b.writeUInt32BE(0x00010000 / 2, 4); // 0.5 s
  b.writeUInt32BE(3, 8); // 3/65536 s
  b.write("PPS", 12, "latin1");
  b.writeBigUInt64BE(ntpTimestamp(1_700_000_000_250_000), 16);
  b.writeBigUInt64BE(ntpTimestamp(1_700_000_001_000_000), 40);
  const p = parseNtpPacket(b);
  assert.deepEqual(
    { leap: p.leap, version: p.version, mode: p.mode, stratum: p.stratum, poll: p.poll, precision: p.precision, rootDelayS: p.rootDelayS, refid: p.refid, originS: p.originS },
    { leap: 1, version: 4, mode: 4, stratum: 1, poll: 6, precision: -25, rootDelayS: 0.5, refid: "PPS", originS: null },
  );
  assert.equal(p.rootDispersionS, 3 / 65536);
  assert.ok(Math.abs(p.referenceS! - 1_700_000_000.25) < 1e-6);
  assert.ok(Math.abs(p.transmitS! - 1_700_000_001) < 1e-6);
  b[1] = 2;
  b.writeUInt32BE(0xc0000201, 12);
  assert.equal(parseNtpPacket(b).refid, "192.0.2.1", "stratum 2 and above: the upstream's address");
  assert.throws(() => parseNtpPacket(Buffer.alloc(47)), /at least 48 bytes/);
});

/** A server on 127.0.0.1 that answers each request as `reply` says (or not at all). */
async function fakeServer(reply: (req: Buffer) => Buffer[]): Promise<{ port: number; close(): Promise<void> }> {
  const s = createSocket("udp4");
  s.on("message", (msg, rinfo) => {
    for (const out of reply(msg)) s.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
  return { port: s.address().port, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

function answer(req: Buffer, opts: { leap?: number; stratum?: number; refid?: string; aheadUs?: number; origin?: bigint }): Buffer {
  const b = Buffer.alloc(48);
  b[0] = ((opts.leap ?? 0) << 6) | (4 << 3) | 4;
  b[1] = opts.stratum ?? 1;
  b.write((opts.refid ?? "PPS").padEnd(4, "\0"), 12, "latin1");
  b.writeBigUInt64BE(opts.origin ?? req.readBigUInt64BE(40), 24);
  const now = ntpTimestamp(Date.now() * 1000 + (opts.aheadUs ?? 0));
  b.writeBigUInt64BE(now, 32);
  b.writeBigUInt64BE(now, 40);
  return b;
}

test("a server 2 s ahead gives an offset of +2 s; answers that echo no request of ours are ignored", async () => {
  const srv = await fakeServer((req) => [answer(req, { origin: 12345n }), answer(req, { aheadUs: 2_000_000 })]);
  try {
    const a = await queryNtp({ host: "127.0.0.1", port: srv.port });
    assert.ok(a);
    // Both ends stamp with Date.now() (1 ms steps); however late the answer on a loaded machine, the offset is
    // +2 s give or take half the round trip, which is what RFC 5905's formula promises.
    assert.ok(a.delayS >= -0.002, `delay ${a.delayS}`);
    assert.ok(Math.abs(a.offsetS - 2) <= a.delayS / 2 + 0.002, `offset ${a.offsetS} with a round trip of ${a.delayS}`);
    assert.equal(a.kiss, null);
    assert.match(describeAnswer(a), /^LI 0 \(no warning\), stratum 1, refid PPS, .*offset \+\d+\.\d{3} ms/);
    const { answers } = await askNtp({ host: "127.0.0.1", port: srv.port }, 3, 0, { timeoutMs: 300 });
    assert.equal(answers.length, 3, "one answer per request, the stray ones not counted");
  } finally {
    await srv.close();
  }
});

test("stratum 0: a kiss-o'-death names its code; chrony's unsynchronised answer (LI 3, refid 0) is no kiss", async () => {
  let n = 0;
  const srv = await fakeServer((req) => (n++ === 0 ? [answer(req, { stratum: 0, refid: "RATE" })] : [answer(req, { leap: 3, stratum: 0, refid: "" })]));
  try {
    const kiss = await queryNtp({ host: "127.0.0.1", port: srv.port });
    assert.equal(kiss?.kiss, "RATE");
    assert.match(describeAnswer(kiss!), /^kiss-o'-death RATE/);
    const unsync = await queryNtp({ host: "127.0.0.1", port: srv.port });
    assert.equal(unsync?.kiss, null);
    assert.equal(unsync?.leap, 3);
    assert.match(describeAnswer(unsync!), /^LI 3 \(unsynchronised\), stratum 0, refid -/);
  } finally {
    await srv.close();
  }
});

test("no answer within the timeout: null, not a throw", async () => {
  const srv = await fakeServer(() => []);
  try {
    assert.equal(await queryNtp({ host: "127.0.0.1", port: srv.port }, { timeoutMs: 200 }), null);
  } finally {
    await srv.close();
  }
});
