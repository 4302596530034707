/*
 * One client for chrony 4.3 (Debian 12) and 4.6 (Debian 13), against the
 * fake chronyd of each at the byte level, in virtual time. The versions
 * differ, for what the box asks, in serverstats alone (candm.h): 4.3 sends
 * SERVER_STATS3 (reply 24, eleven u32, 72 bytes) and takes a 72-byte
 * request; 4.4 and later send SERVER_STATS4 (reply 25, 64-bit counters and
 * six timestamp counters, 196 bytes) and answer a shorter request 518. The
 * client pads to 196 bytes, which both take, and reads the layout the
 * reply's code names. A chronyd of any other layout fails with a message
 * that says which version it looks like.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CmdmonClient } from "../../src/chrony/cmdmon/client.js";
import { Req, Rpy, Stt } from "../../src/chrony/cmdmon/codes.js";
import { CmdmonError } from "../../src/chrony/cmdmon/errors.js";
import { readReplyHeader, requestLength } from "../../src/chrony/cmdmon/packet.js";
import { SERVER_STATS, type ServerStatsReport } from "../../src/chrony/cmdmon/serverStats.js";
import { TRACKING } from "../../src/chrony/cmdmon/tracking.js";
import { FakeChronyd, gpsBoxModel, type FakeChronyVersion } from "../../sim/fakes/fakeChronyd.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

const VERSIONS: readonly FakeChronyVersion[] = ["4.3", "4.6"];

function rig(chrony: FakeChronyVersion) {
  const fake = new FakeChronyd("unix", gpsBoxModel(), { chrony });
  return { fake, cmdmon: new CmdmonClient(fake, new VirtualClock(1_767_225_600_000_000)) };
}

async function rejection(p: Promise<unknown>): Promise<CmdmonError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CmdmonError, `not a CmdmonError: ${String(err)}`);
    return err;
  }
  assert.fail("the request succeeded");
}

/** A bare serverstats request of `length` bytes, as a client of some version would pad it. */
function serverStatsRequest(length: number): Buffer {
  const b = Buffer.alloc(length);
  b[0] = 6;
  b[1] = 1;
  b.writeUInt16BE(Req.SERVER_STATS, 4);
  return b;
}

const { timestamps: modelTimestamps, ...modelCounters } = gpsBoxModel().serverStats;

test("the serverstats request is padded to 196 bytes, SERVER_STATS4's length, the longest layout the client reads", () => {
  assert.equal(requestLength(SERVER_STATS), 196);
  assert.deepEqual(
    SERVER_STATS.replies.map((l) => [l.reply, 28 + l.dataLength]),
    [
      [Rpy.SERVER_STATS4, 196],
      [Rpy.SERVER_STATS3, 72],
    ],
  );
  assert.equal(requestLength(TRACKING), 104, "a request with one layout is padded to it alone");
});

for (const chrony of VERSIONS) {
  test(`chrony ${chrony}: serverstats is one 196-byte request, answered in ${chrony}'s own layout and read into the same report`, async () => {
    const { fake, cmdmon } = rig(chrony);
    const view = await cmdmon.serverStats();
    assert.deepEqual(view, {
      ntpReceived: 1234,
      ntpDropped: 7,
      commandReceived: 56,
      commandDropped: 0,
      logRecordsDropped: 0,
      ntsKeAccepted: 0,
      ntsKeDropped: 0,
      authenticatedNtp: 0,
      interleavedNtp: 3,
    });
    const wire = await cmdmon.request(SERVER_STATS, undefined);
    assert.deepEqual(wire, chrony === "4.6" ? { ...modelCounters, timestamps: modelTimestamps } : modelCounters, "the timestamp counters come with 4.4's layout alone");
    assert.deepEqual(
      fake.received.map((r) => [r.command, r.length, r.status]),
      [
        [Req.SERVER_STATS, 196, Stt.SUCCESS],
        [Req.SERVER_STATS, 196, Stt.SUCCESS],
      ],
      "one try each, never a retry with other padding",
    );
    assert.ok(Object.values(cmdmon.counts().errors).every((n) => n === 0));
  });
}

test("at the byte level the fake is each chronyd: 4.3 takes a 72-byte serverstats request and answers 72 bytes of type 24; 4.6 answers it 518 and wants 196", () => {
  const v43 = new FakeChronyd("unix", gpsBoxModel(), { chrony: "4.3" });
  const v46 = new FakeChronyd("unix", gpsBoxModel(), { chrony: "4.6" });
  const outcome = (fake: FakeChronyd, length: number): [number, number, number] | null => {
    const reply = fake.answer(serverStatsRequest(length));
    if (!reply) return null;
    const h = readReplyHeader(reply);
    return [h.status, h.reply, reply.length];
  };
  assert.deepEqual(outcome(v43, 71), [Stt.BADPKTLENGTH, Rpy.NULL, 28]);
  assert.deepEqual(outcome(v43, 72), [Stt.SUCCESS, Rpy.SERVER_STATS3, 72]);
  assert.deepEqual(outcome(v43, 196), [Stt.SUCCESS, Rpy.SERVER_STATS3, 72], "a longer request is no fault: 4.3 answers 196 bytes with its 72");
  assert.deepEqual(outcome(v46, 72), [Stt.BADPKTLENGTH, Rpy.NULL, 28], "what chronyc 4.3 (and this client before) got from chronyd 4.6: 518 Packet length mismatch");
  assert.deepEqual(outcome(v46, 195), [Stt.BADPKTLENGTH, Rpy.NULL, 28]);
  assert.deepEqual(outcome(v46, 196), [Stt.SUCCESS, Rpy.SERVER_STATS4, 196]);
  for (const fake of [v43, v46]) assert.equal(outcome(fake, 861), null, "longer than a CMD_Request (860 bytes): dropped");

  // SERVER_STATS4's words: Integer64 high then low from byte 28, the timestamp counters from 116, four reserved words of 0xff from 164.
  const r = v46.answer(serverStatsRequest(196))!;
  assert.deepEqual([r.readUInt32BE(28), r.readUInt32BE(32)], [0, 1234], "ntp_hits");
  assert.deepEqual([r.readUInt32BE(52), r.readUInt32BE(56)], [0, 7], "ntp_drops");
  assert.deepEqual([r.readUInt32BE(108), r.readUInt32BE(112)], [0, 600], "ntp_span_seconds");
  assert.deepEqual([r.readUInt32BE(132), r.readUInt32BE(136)], [0, 1227], "ntp_kernel_rx_timestamps");
  assert.ok(
    r.subarray(164, 196).every((b) => b === 0xff),
    "reserved",
  );
  const o = v43.answer(serverStatsRequest(72))!;
  assert.deepEqual([o.readUInt32BE(28), o.readUInt32BE(40), o.readUInt32BE(68)], [1234, 7, 600], "SERVER_STATS3: ntp_hits, ntp_drops, ntp_span_seconds, u32 each");
});

test("the fake knows the request codes of its version: 4.6's MODIFY_OFFSET (73) is 502 from 4.3; LOCAL2 (56), retired in 4.6, is 502 from 4.6 alone", () => {
  const request = (command: number): Buffer => {
    const b = Buffer.alloc(860);
    b[0] = 6;
    b[1] = 1;
    b.writeUInt16BE(command, 4);
    return b;
  };
  const status = (chrony: FakeChronyVersion, command: number): number => readReplyHeader(new FakeChronyd("unix", gpsBoxModel(), { chrony }).answer(request(command))!).status;
  assert.equal(status("4.3", 73), Stt.INVALID);
  assert.notEqual(status("4.6", 73), Stt.INVALID);
  assert.equal(status("4.6", 56), Stt.INVALID);
  assert.notEqual(status("4.3", 56), Stt.INVALID);
  assert.equal(status("4.6", 75), Stt.INVALID);
});

test("64-bit counters: chrony 4.6 sends a count past 2^32 whole; chrony 4.3's 32-bit counter has wrapped", async () => {
  const big: ServerStatsReport = { ...gpsBoxModel().serverStats, ntpHits: 2 ** 32 + 5, cmdHits: 2 ** 40 + 3 };
  const results: Record<string, [number, number]> = {};
  for (const chrony of VERSIONS) {
    const { fake, cmdmon } = rig(chrony);
    fake.model.serverStats = big;
    const s = await cmdmon.serverStats();
    results[chrony] = [s.ntpReceived, s.commandReceived];
  }
  assert.deepEqual(results, { "4.3": [5, 3], "4.6": [2 ** 32 + 5, 2 ** 40 + 3] });
});

test("chronyd upgraded under a running client (4.3, then 4.6, then back): each serverstats is read in the layout that came, with nothing to forget", async () => {
  const { fake, cmdmon } = rig("4.3");
  const read = async (): Promise<[number, boolean]> => {
    const w = await cmdmon.request(SERVER_STATS, undefined);
    return [w.ntpHits, w.timestamps !== undefined];
  };
  assert.deepEqual(await read(), [1234, false]);
  fake.chrony = "4.6";
  fake.model.serverStats = { ...fake.model.serverStats, ntpHits: 1300 };
  assert.deepEqual(await read(), [1300, true]);
  fake.chrony = "4.3";
  assert.deepEqual(await read(), [1300, false]);
  assert.deepEqual(
    fake.received.map((r) => r.status),
    [0, 0, 0],
  );
});

/** A copy of the reply with its type (bytes 6–7) set to `type`. */
const retyped =
  (type: number) =>
  (reply: Buffer): Buffer => {
    const r = Buffer.from(reply);
    r.writeUInt16BE(type, 6);
    return r;
  };

/** The bare error reply chronyd sends with `status` (reply type NULL, 28 bytes). */
const statusReply =
  (status: number) =>
  (reply: Buffer): Buffer => {
    const r = Buffer.from(reply.subarray(0, 28));
    r.writeUInt16BE(Rpy.NULL, 6);
    r.writeUInt16BE(status, 8);
    return r;
  };

const unknown: Array<[string, (reply: Buffer) => Buffer, string, RegExp]> = [
  [
    "a reply type newer than any this box reads (26)",
    retyped(26),
    "unexpectedReply",
    /serverstats with reply type 26, not 25 \(chrony 4\.4 and later\) or 24 \(chrony 4\.2 and 4\.3\): a chrony version this box does not read/,
  ],
  ["chrony 4.0's SERVER_STATS2 (22)", retyped(22), "unexpectedReply", /reply type 22 \(SERVER_STATS2, sent by chrony 4\.0 and 4\.1\), not 25/],
  ["chrony 3.x's SERVER_STATS (14)", retyped(14), "unexpectedReply", /reply type 14 \(SERVER_STATS, sent by chrony 3\.x\)/],
  ["SERVER_STATS4's type, a word short", (r) => r.subarray(0, r.length - 4), "wrongLength", /serverstats reply \(type 25\) is 192 bytes, chrony 4\.4 and later's is 196/],
  ["SERVER_STATS3's type on 4.4's length", retyped(Rpy.SERVER_STATS3), "wrongLength", /\(type 24\) is 196 bytes, chrony 4\.2 and 4\.3's is 72/],
  [
    "518 to the 196-byte request (a chrony whose layout is longer still)",
    statusReply(Stt.BADPKTLENGTH),
    "badPacketLength",
    /518 Packet length mismatch: chronyd wants a longer request than the 196 bytes this box sends, enough for reply type 25 \(chrony 4\.4 and later\) or 24 \(chrony 4\.2 and 4\.3\): a newer chrony/,
  ],
  [
    "502 (a chrony that does not know the request)",
    statusReply(Stt.INVALID),
    "invalid",
    /502 Invalid command: chronyd does not know request 54: a chrony older than 4\.0, or one newer than this box reads/,
  ],
];

for (const [what, damage, reason, message] of unknown) {
  test(`serverstats answered with ${what}: reason ${reason} at once, the message naming the versions`, async () => {
    const { fake, cmdmon } = rig("4.6");
    fake.tamper = damage;
    const err = await rejection(cmdmon.serverStats());
    assert.equal(err.reason, reason);
    assert.match(err.message, message);
    assert.equal(fake.received.length, 1, "not resent: chronyd has answered");
  });
}
