/*
 * A real chronyc as the oracle of the layouts, for each chrony version the
 * box meets (the host's 4.3 in test/integration, Debian 13's 4.6.1 from the
 * twin in test/image). The test listens on a UDP port and runs
 * `chronyc -h 127.0.0.1 -p PORT -n -c <command>` at it:
 *  - every request chronyc sends must equal, byte for byte, the one this
 *    module builds for the same command (with chronyc's own sequence number
 *    put in), up to chronyc's length: that pins command codes, data layouts
 *    and padding. This module may pad further (serverstats goes out padded
 *    for the longest layout it reads), with zeros;
 *  - the test answers with the reply packets of a fake chronyd of
 *    chronyc's version, and what chronyc prints from them (decoded by
 *    chrony's own C code) must equal what the cmdmon client reads from the
 *    same model: that pins the reply layouts of that version, the Float and
 *    address decoding and the naming rules.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { ACTIVITY } from "../../src/chrony/cmdmon/activity.js";
import { CLIENT_ACCESSES } from "../../src/chrony/cmdmon/clientAccesses.js";
import { CmdmonClient } from "../../src/chrony/cmdmon/client.js";
import { buildRequest, paddedLength, readRequestHeader, type Exchange } from "../../src/chrony/cmdmon/packet.js";
import { SERVER_STATS } from "../../src/chrony/cmdmon/serverStats.js";
import { N_SOURCES, SOURCE_DATA } from "../../src/chrony/cmdmon/sources.js";
import { SOURCESTATS } from "../../src/chrony/cmdmon/sourceStats.js";
import { TRACKING } from "../../src/chrony/cmdmon/tracking.js";
import { parseServerStats, parseSources, parseSourceStats, parseTracking } from "../../sim/run/chronycCsv.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import { client, FakeChronyd, gpsBoxModel, refclockSource, serverSource } from "../../sim/fakes/fakeChronyd.js";
import { fakeVersionFor, type ChronyTools } from "./chronyTools.js";

interface ChronycRun {
  requests: Buffer[];
  stdout: string;
}

/** Runs chronyc at a UDP port this test answers with the fake's replies; collects its requests and its output. */
async function chronycAgainst(chronyc: readonly string[], fake: FakeChronyd, command: string[]): Promise<ChronycRun> {
  const sock = createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  const requests: Buffer[] = [];
  sock.on("message", (msg, from) => {
    requests.push(Buffer.from(msg));
    const reply = fake.answer(msg);
    if (reply) sock.send(reply, from.port, from.address);
  });
  try {
    const proc = spawn(chronyc[0]!, [...chronyc.slice(1), "-h", "127.0.0.1", "-p", String(sock.address().port), "-n", "-c", ...command], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      proc.once("error", (e) => reject(new Error(`cannot run chronyc (${e.message}): apt-get install chrony`)));
      proc.once("exit", resolve);
    });
    assert.equal(code, 0, `chronyc ${command.join(" ")} failed: ${stdout}${stderr}`);
    return { requests, stdout };
  } finally {
    sock.close();
  }
}

const rows = (csv: string): string[][] =>
  csv
    .trim()
    .split("\n")
    .filter((l) => l.includes(","))
    .map((l) => l.split(","));

/** What chronyc prints with %.Nf, from the double it decoded: equal to ours within half its last digit. */
function printedAs(ours: number, printed: string, what: string): void {
  const decimals = printed.split(".")[1]?.length ?? 0;
  assert.ok(Math.abs(ours - Number(printed)) <= 0.5 * 10 ** -decimals * (1 + 1e-9), `${what}: chronyc printed ${printed}, the client read ${ours}`);
}

/**
 * The request this module builds, with chronyc's sequence number: chronyc's
 * bytes exactly, as long as the padding chronyc's version requires (what the
 * fake of that version requires too), then nothing but zeros.
 */
function sameBytes<Q>(fake: FakeChronyd, theirs: Buffer, ex: Exchange<Q, unknown>, q: Q, what: string): void {
  const h = readRequestHeader(theirs);
  assert.ok(h, `${what}: chronyc sent ${theirs.length} bytes`);
  assert.equal(h.attempt, 0, `${what}: chronyc's first try`);
  assert.equal(theirs.length, paddedLength(ex, fake.layout(ex)), `${what}: chronyc pads to its reply's length`);
  const ours = buildRequest(ex, q, h.sequence, 0);
  assert.ok(ours.length >= theirs.length, `${what}: ours is ${ours.length} bytes, chronyc's ${theirs.length}`);
  assert.equal(ours.subarray(0, theirs.length).toString("hex"), theirs.toString("hex"), `${what}: request bytes differ from chronyc's`);
  assert.ok(
    ours.subarray(theirs.length).every((b) => b === 0),
    `${what}: our longer padding is zeros`,
  );
}

function richModel() {
  const m = gpsBoxModel();
  m.sources.push(
    refclockSource("GPS", { state: "falseticker", lastRxAgoS: null, reach: 0o17, poll: -2, offsetS: -3.25e-3, measuredOffsetS: -3.5e-3, errorS: 4.2e-4 }),
    serverSource("::ffff:192.0.2.77", { state: "jittery", stratum: 3, poll: 6, offsetS: 1.5e-2, measuredOffsetS: 1.6e-2, frequencyPpm: -1.234, skewPpm: 12.5 }),
  );
  m.clients = [
    ...Array.from({ length: 9 }, (_, i) => client(`198.51.100.${i + 1}`, { ntpHits: 1000 + i, ntpDrops: i, lastNtpAgoS: 60 * i, ntpIntervalLog2: i % 2 ? -3 : 4 })),
    client("2001:db8:0:1::5", { ntpHits: 0, lastNtpAgoS: null, cmdHits: 12, lastCmdAgoS: 4 }),
    client("::ffff:203.0.113.9", { ntpHits: 77, lastNtpAgoS: 86_400 * 3 }),
  ];
  m.tracking.lastUpdateIntervalS = 16.5;
  return m;
}

/** The golden tests against the chronyc of `tools`, its requests and its printing of its own version's replies. */
export function cmdmonGoldenTests(tools: ChronyTools): void {
  const chrony = fakeVersionFor(tools.version);
  const newFake = (): FakeChronyd => new FakeChronyd("unix", richModel(), { chrony });

  test(`${tools.label}: tracking: chronyc's request bytes are ours, and chronyc prints from the fake's reply what the client reads`, { timeout: 30_000 }, async () => {
    const fake = newFake();
    const run = await chronycAgainst(tools.chronyc, fake, ["tracking"]);
    assert.equal(run.requests.length, 1);
    sameBytes(fake, run.requests[0]!, TRACKING, undefined, "tracking");

    const ours = await new CmdmonClient(fake, systemClock()).tracking();
    const csv = rows(run.stdout)[0]!;
    const parsed = parseTracking(run.stdout)!;
    assert.equal(ours.refId, parsed.refId);
    assert.equal(ours.refName, parsed.refName);
    assert.equal(ours.stratum, parsed.stratum);
    assert.equal(ours.leap, parsed.leap);
    assert.equal(`${ours.refTime.sec}.${String(ours.refTime.nsec).padStart(9, "0")}`, csv[3]);
    printedAs(-ours.systemOffsetS, csv[4]!, "system time (chronyc prints the correction: the opposite sign)");
    printedAs(ours.lastOffsetS, csv[5]!, "last offset");
    printedAs(ours.rmsOffsetS, csv[6]!, "rms offset");
    printedAs(ours.frequencyPpm, csv[7]!, "frequency");
    printedAs(ours.residualFrequencyPpm, csv[8]!, "residual frequency");
    printedAs(ours.skewPpm, csv[9]!, "skew");
    printedAs(ours.rootDelayS, csv[10]!, "root delay");
    printedAs(ours.rootDispersionS, csv[11]!, "root dispersion");
    printedAs(ours.updateIntervalS, csv[12]!, "update interval");
  });

  test(`${tools.label}: sources and sourcestats: chronyc's N_SOURCES and per-index requests are ours; names, states, reach and offsets as chronyc prints them`, { timeout: 30_000 }, async () => {
    const fake = newFake();
    const n = fake.model.sources.length;
    for (const [command, ex] of [
      ["sources", SOURCE_DATA],
      ["sourcestats", SOURCESTATS],
    ] as const) {
      const run = await chronycAgainst(tools.chronyc, fake, [command]);
      assert.equal(run.requests.length, 1 + n);
      sameBytes(fake, run.requests[0]!, N_SOURCES, undefined, `${command}: N_SOURCES`);
      for (const [i, r] of run.requests.slice(1).entries()) sameBytes(fake, r, ex, i, `${command}: index ${i}`);

      const cmdmon = new CmdmonClient(fake, systemClock());
      if (command === "sources") {
        const ours = await cmdmon.sources();
        const theirs = parseSources(run.stdout);
        assert.equal(ours.length, n);
        ours.forEach((s, i) => {
          const t = theirs[i]!;
          assert.deepEqual([s.mode, s.state, s.name, s.stratum, s.poll, s.reach], [t.mode, t.state, t.name, t.stratum, t.poll, t.reach], `source ${i}`);
          // chronyc -c prints a never-sampled source's 0xffffffff as a number; the client says null.
          assert.equal(s.lastRxAgoS ?? 4294967295, t.lastRxAgoS, `source ${i} last rx`);
          const csv = rows(run.stdout)[i]!;
          printedAs(s.lastOffsetS, csv[7]!, `source ${i} offset`);
          printedAs(s.measuredOffsetS, csv[8]!, `source ${i} measured offset`);
          printedAs(s.errorS, csv[9]!, `source ${i} error`);
        });
        assert.deepEqual(
          ours.map((s) => s.name),
          ["PPS", "NMEA", "192.0.2.10", "2001:db8::123", "GPS", "::ffff:192.0.2.77"],
        );
      } else {
        const ours = await cmdmon.sourceStats();
        const theirs = parseSourceStats(run.stdout);
        ours.forEach((s, i) => {
          const t = theirs[i]!;
          assert.deepEqual([s.name, s.samples, s.runs, s.spanS], [t.name, t.samples, t.runs, t.spanS], `sourcestats ${i}`);
          const csv = rows(run.stdout)[i]!;
          printedAs(s.frequencyPpm, csv[4]!, `sourcestats ${i} frequency`);
          printedAs(s.freqSkewPpm, csv[5]!, `sourcestats ${i} skew`);
          printedAs(s.offsetS, csv[6]!, `sourcestats ${i} offset`);
          printedAs(s.stdDevS, csv[7]!, `sourcestats ${i} std dev`);
        });
      }
    }
  });

  test(`${tools.label}: activity and serverstats: chronyc's requests are ours, and its figures the client's`, { timeout: 30_000 }, async () => {
    const fake = newFake();
    fake.model.activity = { online: 3, offline: 1, burstOnline: 2, burstOffline: 0, unresolved: 5 };
    const cmdmon = new CmdmonClient(fake, systemClock());

    const act = await chronycAgainst(tools.chronyc, fake, ["activity"]);
    sameBytes(fake, act.requests[0]!, ACTIVITY, undefined, "activity");
    const a = await cmdmon.activity();
    assert.deepEqual(rows(act.stdout)[0]!.map(Number), [a.online, a.offline, a.burstOnline, a.burstOffline, a.unresolved]);

    // Every counter different, so a swapped pair shows; 4.4 and later count in 64 bits: one beyond 2^32 pins the word order.
    const wide = chrony === "4.6" ? 2 ** 32 : 0;
    fake.model.serverStats = {
      ntpHits: wide + 123_456,
      nkeHits: 11,
      cmdHits: 789,
      ntpDrops: 321,
      nkeDrops: 2,
      cmdDrops: 3,
      logDrops: 4,
      ntpAuthHits: 55,
      ntpInterleavedHits: 66,
      ntpTimestamps: 77,
      ntpSpanS: 8888,
      timestamps: { daemonRx: 101, daemonTx: 102, kernelRx: wide + 103, kernelTx: 104, hwRx: 105, hwTx: 106 },
    };
    const st = await chronycAgainst(tools.chronyc, fake, ["serverstats"]);
    sameBytes(fake, st.requests[0]!, SERVER_STATS, undefined, "serverstats");
    const w = await cmdmon.request(SERVER_STATS, undefined);
    assert.equal(w.timestamps !== undefined, chrony === "4.6", "the timestamp counters come with SERVER_STATS4 alone");
    const t = w.timestamps;
    // chronyc's order: received, dropped, command received, dropped, log drops, NTS-KE accepted, dropped, authenticated, interleaved, held, span (, timestamps).
    const inChronycOrder = [w.ntpHits, w.ntpDrops, w.cmdHits, w.cmdDrops, w.logDrops, w.nkeHits, w.nkeDrops, w.ntpAuthHits, w.ntpInterleavedHits, w.ntpTimestamps, w.ntpSpanS];
    assert.deepEqual(rows(st.stdout)[0]!.map(Number), [...inChronycOrder, ...(t ? [t.daemonRx, t.daemonTx, t.kernelRx, t.kernelTx, t.hwRx, t.hwTx] : [])]);
    const { timestamps, ...counters } = fake.model.serverStats;
    assert.deepEqual(w, chrony === "4.6" ? { ...counters, timestamps } : counters, "the client reads what the fake wrote");

    const s = await cmdmon.serverStats();
    assert.deepEqual(parseServerStats(st.stdout), { ntpReceived: s.ntpReceived, ntpDropped: s.ntpDropped, commandReceived: s.commandReceived, commandDropped: s.commandDropped });
    const csv = rows(st.stdout)[0]!.map(Number);
    assert.deepEqual(csv.slice(4, 9), [s.logRecordsDropped, s.ntsKeAccepted, s.ntsKeDropped, s.authenticatedNtp, s.interleavedNtp]);
  });

  test(`${tools.label}: clients: chronyc's paged requests (first index 0, then where the reply said) are ours; every row as chronyc prints it`, { timeout: 30_000 }, async () => {
    const fake = newFake();
    const run = await chronycAgainst(tools.chronyc, fake, ["clients"]);
    assert.equal(run.requests.length, 2, "11 clients: two pages");
    sameBytes(fake, run.requests[0]!, CLIENT_ACCESSES, { firstIndex: 0, maxClients: 8, minHits: 0, reset: false }, "clients page 1");
    sameBytes(fake, run.requests[1]!, CLIENT_ACCESSES, { firstIndex: 8, maxClients: 8, minHits: 0, reset: false }, "clients page 2");

    const ours = await new CmdmonClient(fake, systemClock()).clients();
    const theirs = rows(run.stdout);
    assert.equal(ours.length, theirs.length);
    ours.forEach((c, i) => {
      const t = theirs[i]!;
      const never = (v: number | null): string => String(v ?? 4294967295);
      assert.deepEqual(
        [c.address, String(c.ntpHits), String(c.ntpDrops), String(c.ntpIntervalLog2 ?? 127), never(c.lastNtpAgoS), String(c.cmdHits), never(c.lastCmdAgoS)],
        [t[0], t[1], t[2], t[3], t[5], t[6], t[9]],
        `client ${i}`,
      );
    });
    assert.ok(ours.some((c) => c.address === "::ffff:203.0.113.9") && ours.some((c) => c.address === "2001:db8:0:1::5"), "IPv6 written as chronyc writes it");
  });
}
