/* The cmdmon client against the byte-level fake chronyd, in virtual time: figures, the UDP refusal, chronyc's resend schedule, bad replies counted by name. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CmdmonClient } from "../../src/chrony/cmdmon/client.js";
import { CmdmonError } from "../../src/chrony/cmdmon/errors.js";
import { Req } from "../../src/chrony/cmdmon/codes.js";
import { readReplyHeader } from "../../src/chrony/cmdmon/packet.js";
import { SOURCESTATS } from "../../src/chrony/cmdmon/sourceStats.js";
import { countRecentNtpClients } from "../../src/chrony/cmdmon/views.js";
import { ChronyReader } from "../../src/chrony/cmdmon/chronyReader.js";
import { client, FakeChronyd, gpsBoxModel, refclockSource } from "../../sim/fakes/fakeChronyd.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

const T0_US = 1_767_225_600_000_000;
const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 2 ** -23 + 1e-15, `${what}: ${actual} is not ${expected}`);

function rig(face: "udp" | "unix" = "unix") {
  const clock = new VirtualClock(T0_US);
  const fake = new FakeChronyd(face);
  const cmdmon = new CmdmonClient(fake, clock);
  return { clock, fake, cmdmon };
}

/** Lets the fake's replies (microtasks) and the client's next request run, without moving virtual time. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

async function rejection(p: Promise<unknown>): Promise<CmdmonError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CmdmonError, `not a CmdmonError: ${String(err)}`);
    return err;
  }
  assert.fail("the request succeeded");
}

test("the box's figures come back through the fake chronyd as the model has them, named as chronyc -n names them", async () => {
  const { fake, cmdmon } = rig("unix");
  const m = fake.model;

  const t = await cmdmon.tracking();
  assert.equal(t.refId, "50505300");
  assert.equal(t.refName, "PPS", "a refclock reference is named by its refid");
  assert.equal(t.stratum, 1);
  assert.equal(t.leap, "normal");
  assert.deepEqual(t.refTime, m.tracking.refTime);
  close(t.systemOffsetS, -m.tracking.currentCorrectionS, "system time: the model's correction of −0.25 µs is a clock 0.25 µs ahead");
  assert.ok(t.systemOffsetS > 0);
  close(t.lastOffsetS, m.tracking.lastOffsetS, "last offset");
  close(t.frequencyPpm, m.tracking.freqPpm, "frequency");
  close(t.rootDispersionS, m.tracking.rootDispersionS, "root dispersion");

  const sources = await cmdmon.sources();
  assert.deepEqual(
    sources.map((s) => [s.mode, s.state, s.name, s.reach]),
    [
      ["#", "*", "PPS", 0o377],
      ["#", "?", "NMEA", 0o377],
      ["^", "+", "192.0.2.10", 0o377],
      ["^", "+", "2001:db8::123", 0o377],
    ],
  );
  close(sources[0]!.lastOffsetS, 1.2e-7, "PPS offset");
  close(sources[0]!.measuredOffsetS, 1.1e-7, "PPS measured offset");
  assert.equal(sources[1]!.lastRxAgoS, 9);

  const stats = await cmdmon.sourceStats();
  assert.deepEqual(
    stats.map((s) => s.name),
    ["PPS", "NMEA", "192.0.2.10", "2001:db8::123"],
  );
  close(stats[0]!.stdDevS, 2.5e-7, "PPS std dev");

  assert.deepEqual(await cmdmon.activity(), m.activity);
  const server = await cmdmon.serverStats();
  assert.equal(server.ntpReceived, m.serverStats.ntpHits);
  assert.equal(server.ntpDropped, m.serverStats.ntpDrops);
  assert.equal(server.commandReceived, m.serverStats.cmdHits);

  const clients = await cmdmon.clients();
  assert.deepEqual(
    clients.map((c) => [c.address, c.ntpHits, c.lastNtpAgoS]),
    [
      ["192.0.2.50", 100, 30],
      ["192.0.2.51", 3, 7200],
      ["2001:db8::50", 40, 5],
    ],
  );
  assert.equal(countRecentNtpClients(clients, 3600), 2, "the client last seen two hours ago is not counted");
  assert.equal(cmdmon.counts().answered, 1 + 5 + 5 + 1 + 1 + 1);
  assert.ok(
    Object.values(cmdmon.counts().errors).every((n) => n === 0),
    JSON.stringify(cmdmon.counts().errors),
  );
});

test("a source with no sample yet has no 'last rx' (null), not chronyc -c's 4294967295", async () => {
  const { fake, cmdmon } = rig();
  fake.model.sources = [refclockSource("NMEA", { lastRxAgoS: null, reach: 0 })];
  const [s] = await cmdmon.sources();
  assert.equal(s!.lastRxAgoS, null);
  assert.equal(s!.reach, 0);
});

test("over UDP chronyd refuses serverstats and the client list (501): the error says the control socket is needed, and monitoring goes on", async () => {
  const { cmdmon } = rig("udp");
  for (const read of [() => cmdmon.serverStats(), () => cmdmon.clients()]) {
    const err = await rejection(read());
    assert.equal(err.reason, "unauthorised");
    assert.match(err.message, /501 Not authorised/);
    assert.match(err.message, /needs the control socket: set chrony\.control/);
  }
  assert.equal((await cmdmon.tracking()).refName, "PPS", "monitoring requests are still answered over UDP");
  assert.equal((await cmdmon.sources()).length, 4);
  assert.equal(cmdmon.counts().errors.unauthorised, 2);
});

test("no answer: resent after 1 s and 2 s more with a fresh sequence and a counted attempt, given up after 7 s, as chronyc does", async () => {
  const { clock, fake, cmdmon } = rig();
  fake.tamper = () => null;
  const outcome = rejection(cmdmon.tracking());
  await settle();
  const sent = (): number => fake.received.length;
  assert.equal(sent(), 1);
  clock.advanceTo(T0_US + 999_000);
  await settle();
  assert.equal(sent(), 1, "not resent before 1 s");
  clock.advanceTo(T0_US + 1_000_000);
  await settle();
  assert.equal(sent(), 2, "resent at 1 s");
  clock.advanceTo(T0_US + 2_999_000);
  await settle();
  assert.equal(sent(), 2, "the second wait is 2 s");
  clock.advanceTo(T0_US + 3_000_000);
  await settle();
  assert.equal(sent(), 3);
  clock.advanceTo(T0_US + 6_999_000);
  await settle();
  let done = false;
  void outcome.then(() => (done = true));
  await settle();
  assert.equal(done, false, "still waiting at 6.999 s");
  clock.advanceTo(T0_US + 7_000_000);
  const err = await outcome;
  assert.equal(err.reason, "timeout");
  assert.match(err.message, /no reply from chronyd to tracking on .* within 7 s \(3 tries\)/);
  assert.deepEqual(
    fake.received.map((r) => r.attempt),
    [0, 1, 2],
  );
  assert.equal(new Set(fake.received.map((r) => r.sequence)).size, 3, "a fresh sequence each try");
  assert.ok(fake.received.every((r) => r.command === Req.TRACKING && r.length === 104));
  const c = cmdmon.counts();
  assert.equal(c.sent, 3);
  assert.equal(c.resent, 2);
  assert.equal(c.errors.timeout, 1);
});

test("a slow answer to the first try is taken after the resend; the answer to the resend is then counted as late, not as an error of the next request", async () => {
  const { clock, fake, cmdmon } = rig();
  let first: Buffer | undefined;
  fake.tamper = (reply) => {
    if (!first) {
      first = reply;
      return null;
    }
    return [first, reply];
  };
  const tracking = cmdmon.tracking();
  await settle();
  clock.advanceTo(T0_US + 1_000_000);
  assert.equal((await tracking).refName, "PPS");
  await settle();
  const c = cmdmon.counts();
  assert.equal(c.answered, 1);
  assert.equal(c.errors.late, 1);
  assert.equal(c.errors.wrongSequence, 0);
});

/** Damages a good reply (for the request in `request`) one way. */
type Damage = (reply: Buffer, request: Buffer) => Buffer;
/** A copy of the reply with one change made to it. */
const edited =
  (edit: (r: Buffer) => void): Damage =>
  (reply) => {
    const r = Buffer.from(reply);
    edit(r);
    return r;
  };
const damaged: Record<string, { damage: Damage; counted: string }> = {
  truncated: { damage: (r) => r.subarray(0, 20), counted: "truncated" },
  "wrong version": { damage: edited((r) => r.writeUInt8(5, 0)), counted: "badVersion" },
  "a request, not a reply": { damage: edited((r) => r.writeUInt8(1, 1)), counted: "notReply" },
  "wrong sequence": { damage: edited((r) => r.writeUInt32BE((r.readUInt32BE(16) + 1) >>> 0, 16)), counted: "wrongSequence" },
  "wrong command echoed": { damage: edited((r) => r.writeUInt16BE(Req.SOURCESTATS, 4)), counted: "wrongCommand" },
  garbage: { damage: () => Buffer.from("GET / HTTP/1.1\r\nHost: chronyd\r\n\r\n"), counted: "notReply" },
};

for (const [what, { damage, counted }] of Object.entries(damaged)) {
  test(`a reply with ${what} is counted as ${counted} and ignored: the good reply after it is taken, and alone it ends in a timeout naming it`, async () => {
    const { clock, fake, cmdmon } = rig();
    fake.tamper = (reply, request) => [damage(reply, request), reply];
    assert.equal((await cmdmon.tracking()).stratum, 1);
    assert.equal(cmdmon.counts().errors[counted as keyof ReturnType<CmdmonClient["counts"]>["errors"]], 1);

    fake.tamper = (reply, request) => damage(reply, request);
    const outcome = rejection(cmdmon.tracking());
    for (const ms of [1000, 3000, 7000]) {
      await settle();
      clock.advanceTo(T0_US + ms * 1000 + 1_000_000);
    }
    const err = await outcome;
    assert.equal(err.reason, "timeout");
    assert.match(err.message, new RegExp(`ignored \\(${counted}\\)`));
    assert.equal(cmdmon.counts().errors[counted as keyof ReturnType<CmdmonClient["counts"]>["errors"]], 4, "one more for each of the three tries");
  });
}

test("a datagram when nothing is asked (garbage, a duplicate) is counted and never throws", async () => {
  const { fake, cmdmon } = rig();
  fake.tamper = (reply) => [reply, Buffer.alloc(3), Buffer.from(reply)];
  await cmdmon.tracking();
  await settle();
  const e = cmdmon.counts().errors;
  assert.equal(e.truncated, 1);
  assert.equal(e.late, 1);
});

/** Rewrites a good reply into the error reply chronyd would send with `status` (a bare 28-byte header, reply type NULL). */
const statusReply =
  (status: number, version = 6): Damage =>
  (r) => {
    const out = Buffer.from(r.subarray(0, 28));
    out[0] = version;
    out.writeUInt16BE(1, 6);
    out.writeUInt16BE(status, 8);
    return out;
  };

const failures: Array<[string, Damage, string, RegExp]> = [
  ["status INVALID", statusReply(3), "invalid", /502 Invalid command/],
  ["status FAILED", statusReply(1), "failed", /500 Failure/],
  ["status BADPKTLENGTH", statusReply(19), "badPacketLength", /518 Packet length mismatch/],
  ["an unknown status", statusReply(77), "otherStatus", /520 .*status 77/],
  ["BADPKTVERSION from a version-5 chronyd", statusReply(18, 5), "badPacketVersion", /chronyd speaks command protocol version 5/],
  ["a byte too many", (r) => Buffer.concat([r, Buffer.alloc(1)]), "wrongLength", /105 bytes, chrony 4\.x's is 104/],
  ["a byte too few", (r) => r.subarray(0, r.length - 1), "wrongLength", /103 bytes/],
  ["another reply type", edited((r) => r.writeUInt16BE(6, 6)), "unexpectedReply", /reply type 6, not 5/],
];

for (const [what, damage, reason, message] of failures) {
  test(`an answer with ${what} ends the request with a ${reason} error, counted, at once`, async () => {
    const { fake, cmdmon } = rig();
    fake.tamper = (reply, request) => damage(reply, request);
    const err = await rejection(cmdmon.tracking());
    assert.equal(err.reason, reason);
    assert.equal(err.command, "tracking");
    assert.match(err.message, message);
    assert.equal(cmdmon.counts().errors[reason as keyof ReturnType<CmdmonClient["counts"]>["errors"]], 1);
    assert.equal(fake.received.length, 1, "not resent: chronyd has answered");
    fake.tamper = undefined;
    assert.equal((await cmdmon.tracking()).refName, "PPS", "the next request is unaffected");
  });
}

test("an index past the table is 503 No such source; a source removed during a listing starts the listing over once", async () => {
  const { fake, cmdmon } = rig();
  const err = await rejection(cmdmon.request(SOURCESTATS, 9));
  assert.equal(err.reason, "noSuchSource");
  assert.match(err.message, /503 No such source/);

  let removed = false;
  fake.tamper = (reply) => {
    if (!removed && readReplyHeader(reply).command === Req.N_SOURCES) {
      removed = true;
      fake.model.sources.pop();
    }
    return reply;
  };
  const names = (await cmdmon.sources()).map((s) => s.name);
  assert.deepEqual(names, ["PPS", "NMEA", "192.0.2.10"]);
  assert.equal(fake.received.filter((r) => r.command === Req.N_SOURCES).length, 2, "asked for the count again");
});

test("the client list is read page by page (8 a page) from the index chronyd says, as chronyc does", async () => {
  const { fake, cmdmon } = rig();
  fake.model.clients = Array.from({ length: 20 }, (_, i) => client(`198.51.100.${i + 1}`, { ntpHits: i + 1, lastNtpAgoS: i * 300 }));
  const list = await cmdmon.clients();
  assert.equal(list.length, 20);
  assert.deepEqual(
    list.map((c) => c.address),
    fake.model.clients.map((c) => (c.address.family === "inet4" ? c.address.address : "")),
  );
  const pages = fake.received.filter((r) => r.command === Req.CLIENT_ACCESSES_BY_INDEX3);
  assert.equal(pages.length, 3);
  assert.ok(
    pages.every((p) => p.length === 520),
    "each request padded to the 520-byte reply",
  );
  assert.equal(countRecentNtpClients(list, 3600), 13, "last seen 0..3600 s ago: the first 13");

  fake.model.clients = null;
  const err = await rejection(cmdmon.clients());
  assert.equal(err.reason, "inactive");
  assert.match(err.message, /noclientlog/);
});

test("a stopped chronyd is a transport error at once (no 7 s wait), and the client works again when it is back", async () => {
  const { fake, cmdmon } = rig();
  fake.running = false;
  const err = await rejection(cmdmon.tracking());
  assert.equal(err.reason, "transport");
  assert.match(err.message, /ECONNREFUSED.*is chronyd running/);
  fake.running = true;
  assert.equal((await cmdmon.tracking()).stratum, 1);
});

test("requests go one at a time, in order; close() fails those in flight and queued", async () => {
  const { fake, cmdmon } = rig();
  const all = await Promise.all([cmdmon.tracking(), cmdmon.activity(), cmdmon.serverStats()]);
  assert.equal(all[0].refName, "PPS");
  assert.deepEqual(
    fake.received.map((r) => r.command),
    [Req.TRACKING, Req.ACTIVITY, Req.SERVER_STATS],
  );
  fake.tamper = () => null;
  const pending = [rejection(cmdmon.tracking()), rejection(cmdmon.sources())];
  await settle();
  cmdmon.close();
  for (const p of pending) assert.equal((await p).reason, "closed");
  assert.equal((await rejection(cmdmon.activity())).reason, "closed");
});

test("the fake answers as chronyd: a request without its padding is dropped (under 28 bytes) or refused 518, an old version 517", () => {
  const fake = new FakeChronyd("unix");
  const tracking = (length: number, version = 6): Buffer => {
    const b = Buffer.alloc(length);
    b[0] = version;
    b[1] = 1;
    b.writeUInt16BE(Req.TRACKING, 4);
    return b;
  };
  assert.equal(fake.answer(tracking(20)), null, "unpadded: silently dropped");
  assert.equal(readReplyHeader(fake.answer(tracking(28))!).status, 19);
  assert.equal(fake.answer(tracking(104))!.length, 104);
  assert.equal(readReplyHeader(fake.answer(tracking(104, 5))!).status, 18);
  assert.equal(fake.answer(tracking(104, 4)), null);
  assert.equal(gpsBoxModel().sources.length, 4);
});

test("ChronyReader asks UDP for what chronyd answers there and the control socket only for serverstats and clients; without one it says so and sends nothing", async () => {
  const clock = new VirtualClock(T0_US);
  const udp = new FakeChronyd("udp");
  const unix = new FakeChronyd("unix");
  const reader = new ChronyReader({ monitoring: new CmdmonClient(udp, clock), control: new CmdmonClient(unix, clock) });
  await Promise.all([reader.tracking(), reader.sources(), reader.sourceStats(), reader.activity(), reader.serverStats(), reader.clients()]);
  assert.deepEqual(
    [...new Set(udp.received.map((r) => r.command))].sort((a, b) => a - b),
    [Req.N_SOURCES, Req.SOURCE_DATA, Req.TRACKING, Req.SOURCESTATS, Req.ACTIVITY],
  );
  assert.deepEqual(
    unix.received.map((r) => r.command),
    [Req.SERVER_STATS, Req.CLIENT_ACCESSES_BY_INDEX3],
  );
  assert.ok(udp.received.every((r) => r.status === 0));

  const udpOnly = new FakeChronyd("udp");
  const monitoringOnly = new ChronyReader({ monitoring: new CmdmonClient(udpOnly, clock) });
  for (const read of [() => monitoringOnly.serverStats(), () => monitoringOnly.clients()]) {
    const err = await rejection(read());
    assert.equal(err.reason, "noControlSocket");
    assert.match(err.message, /needs the control socket: .*chrony\.control is off/);
  }
  assert.equal(udpOnly.received.length, 0, "nothing sent that chronyd would refuse");
  assert.equal((await monitoringOnly.tracking()).refName, "PPS");

  const controlOnly = new FakeChronyd("unix");
  const viaControl = new ChronyReader({ control: new CmdmonClient(controlOnly, clock) });
  await Promise.all([viaControl.tracking(), viaControl.serverStats()]);
  assert.equal(controlOnly.received.length, 2);
});
