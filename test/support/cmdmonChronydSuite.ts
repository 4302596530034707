/*
 * The cmdmon client against a real chronyd started by the test (the host's
 * 4.3 in test/integration, Debian 13's 4.6.1 from the twin in test/image),
 * read by the chronyc of the same version: a box
 * chronyd with a SOCK refclock (GPS, fed samples by the test) and an NTP
 * server (a second chronyd with 'local stratum 8'), serving NTP on a port
 * the test sends requests to, answering commands on UDP (127.0.0.1 and ::1)
 * and on a unix socket. Every figure the client reads must be what
 * `chronyc -c` prints for the same moment, over UDP and over the unix socket.
 *
 * "The same moment": the client reads, chronyc reads, the client reads
 * again. chronyd changes its tables when a sample arrives (the refclock's
 * poll is 2 s here), so a triple whose two client reads differ in a table
 * figure straddled an update and is taken again. Some figures move with the
 * clock itself and are judged as lying between the two client reads:
 * tracking's system time (the correction still being slewed) and root
 * dispersion (grows between updates), a source's "last rx" (whole seconds),
 * sourcestats' offset (the regression's estimate for the moment of asking),
 * serverstats' command count (every request counts, chronyc's too), and a
 * client's command hits and last-seen ages.
 *
 * Beside the figures, the bytes: serverstats requests of several lengths go
 * to the real chronyd and to the fake chronyd of its version, and both must
 * answer each alike (dropped, 518, or which reply of which length): the
 * fake's version profiles are checked against the real thing.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { parseServerStats, parseSources, parseSourceStats, parseTracking } from "../../sim/run/chronycCsv.js";
import type { ChronySourceStats } from "../../src/chrony/cmdmon/views.js";
import type { ChronySource } from "../../src/status/contract.js";
import { CmdmonClient } from "../../src/chrony/cmdmon/client.js";
import { CmdmonError } from "../../src/chrony/cmdmon/errors.js";
import type { CommandChannel } from "../../src/hal/commandChannel.js";
import { openUdpCommandChannel } from "../../src/hal/linux/udpCommandChannel.js";
import { openUnixCommandChannel } from "../../src/hal/linux/unixCommandChannel.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import { native } from "../../src/hal/linux/native.js";
import { freeUdpPort, startChronydWith, type ChronydProcess } from "../../sim/run/chronydProcess.js";
import { FakeChronyd } from "../../sim/fakes/fakeChronyd.js";
import { readReplyHeader, REPLY_HEADER_LENGTH } from "../../src/chrony/cmdmon/packet.js";
import { SERVER_STATS } from "../../src/chrony/cmdmon/serverStats.js";
import { Req } from "../../src/chrony/cmdmon/codes.js";
import { fakeVersionFor, type ChronyTools } from "./chronyTools.js";

const run = promisify(execFile);

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((a) => a.internal && a.family === "IPv6" && a.address === "::1"));

interface Box {
  dir: string;
  cmdSocket: string;
  cmdPort: number;
  ntpPort: number;
  box: ChronydProcess;
  server: ChronydProcess;
  stopFeed(): void;
  chronyc(...args: string[]): Promise<string>;
}

/** The suite against the chronyd and chronyc of `tools`. */
export function cmdmonChronydTests(tools: ChronyTools): void {
  let rig: Box;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratum1-cmdmon-"));
    const [serverPort, ntpPort, cmdPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
    const server = await startChronydWith(
      join(dir, "server.conf"),
      [
        "local stratum 8",
        `port ${serverPort}`,
        "bindaddress 127.0.0.1",
        "allow 127.0.0.1",
        "cmdport 0",
        `bindcmdaddress ${dir}/server.sock`,
        `pidfile ${dir}/server.pid`,
        `driftfile ${dir}/server.drift`,
      ],
      join(dir, "server.sock"),
      tools.chronyd,
    );
    const cmdSocket = join(dir, "chronyd.sock");
    const box = await startChronydWith(
      join(dir, "box.conf"),
      [
        `refclock SOCK ${dir}/gps.sock refid GPS poll 1 precision 1e-6`,
        `server 127.0.0.1 port ${serverPort} iburst minpoll 4 maxpoll 4`,
        `port ${ntpPort}`,
        "bindaddress 127.0.0.1",
        "allow 127.0.0.1",
        `cmdport ${cmdPort}`,
        "bindcmdaddress 127.0.0.1",
        ...(hasIpv6Loopback ? ["bindcmdaddress ::1"] : []),
        `bindcmdaddress ${cmdSocket}`,
        `pidfile ${dir}/box.pid`,
        `driftfile ${dir}/box.drift`,
      ],
      cmdSocket,
      tools.chronyd,
    );
    // The GPS: four samples a second, within a microsecond of the host's clock.
    const calls = native();
    const fd = calls.dgramOpen();
    const feed = systemClock().every(250, () => {
      const us = calls.realtimeUs();
      calls.dgramSendTo(fd, join(dir, "gps.sock"), calls.packSockSample(Math.floor(us / 1e6), us % 1e6, (Math.random() - 0.5) * 1e-6, 0, 0));
    });
    const chronyc = async (...args: string[]): Promise<string> => (await run(tools.chronyc[0]!, [...tools.chronyc.slice(1), "-h", cmdSocket, "-n", ...args], { timeout: 10_000 })).stdout;
    rig = {
      dir,
      cmdSocket,
      cmdPort,
      ntpPort,
      box,
      server,
      chronyc,
      stopFeed: () => {
        feed();
        calls.fdClose(fd);
      },
    };
    // Wait until chronyd has selected the GPS and heard the server: tables worth comparing.
    for (let i = 0; i < 120; i++) {
      const sources = parseSources(await chronyc("-c", "sources"));
      if (sources.find((s) => s.name === "GPS")?.state === "*" && (sources.find((s) => s.name === "127.0.0.1")?.reach ?? 0) > 0) break;
      await sleep(250);
    }
    assert.equal(await ntpRequests(ntpPort, 5), 5, "the box answers NTP: a client in its log");
  });

  after(async () => {
    rig.stopFeed();
    await rig.box.stop();
    await rig.server.stop();
    rmSync(rig.dir, { recursive: true, force: true });
  });

  /** Sends n NTP client requests (mode 3) to 127.0.0.1:port; resolves with the replies received. */
  async function ntpRequests(port: number, n: number): Promise<number> {
    const sock = createSocket("udp4");
    let replies = 0;
    sock.on("message", () => (replies += 1));
    const req = Buffer.alloc(48);
    req[0] = 0x23;
    for (let i = 0; i < n; i++) sock.send(req, port, "127.0.0.1");
    for (let i = 0; i < 40 && replies < n; i++) await sleep(25);
    sock.close();
    return replies;
  }

  /** What chronyc -c printed with %.Nf from a double it decoded equals ours within half its last digit. */
  function printedAs(ours: number, printed: string | undefined, what: string): void {
    const decimals = printed?.split(".")[1]?.length ?? 0;
    assert.ok(Math.abs(ours - Number(printed)) <= 0.5 * 10 ** -decimals * (1 + 1e-9), `${what}: chronyc printed ${printed}, the client read ${ours}`);
  }

  /** A moving figure: chronyc's lies between the client's two reads (within chronyc's printed precision). */
  function between(first: number, printed: string | undefined, second: number, what: string): void {
    const decimals = printed?.split(".")[1]?.length ?? 0;
    const slack = 0.5 * 10 ** -decimals * (1 + 1e-9);
    const v = Number(printed);
    assert.ok(v >= Math.min(first, second) - slack && v <= Math.max(first, second) + slack, `${what}: chronyc printed ${printed}, the client read ${first} then ${second}`);
  }

  const csvRows = (csv: string): string[][] =>
    csv
      .trim()
      .split("\n")
      .filter((l) => l.includes(","))
      .map((l) => l.split(","));

  /**
   * Client, chronyc, client: retried while the two client reads differ in what
   * `stable` picks (chronyd updated its tables in between), then judged.
   */
  async function sameMoment<T>(read: () => Promise<T>, csv: () => Promise<string>, stable: (x: T) => unknown, judge: (first: T, printed: string, second: T) => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const first = await read();
      const printed = await csv();
      const second = await read();
      if (JSON.stringify(stable(first)) !== JSON.stringify(stable(second))) {
        assert.ok(attempt < 10, "chronyd's tables changed between every pair of reads");
        continue;
      }
      return judge(first, printed, second);
    }
  }

  /** The three ways in, each opened when its turn comes (and closed by the test after it). */
  const channels = (): Array<[string, () => Promise<CommandChannel>]> => [
    ["UDP 127.0.0.1", () => openUdpCommandChannel("127.0.0.1", rig.cmdPort)],
    ...(hasIpv6Loopback ? [["UDP ::1", () => openUdpCommandChannel("::1", rig.cmdPort)] as [string, () => Promise<CommandChannel>]] : []),
    ["the unix socket", () => openUnixCommandChannel(rig.cmdSocket)],
  ];

  test(`${tools.label}: tracking as chronyc -c tracking prints it, over UDP and the unix socket`, { timeout: 60_000 }, async () => {
    for (const [via, open] of channels()) {
      const channel = await open();
      const cmdmon = new CmdmonClient(channel, systemClock());
      try {
        await sameMoment(
          () => cmdmon.tracking(),
          () => rig.chronyc("-c", "tracking"),
          (t) => [t.refTime, t.lastOffsetS, t.frequencyPpm],
          (first, printed, second) => {
            const f = csvRows(printed)[0]!;
            const p = parseTracking(printed)!;
            assert.deepEqual([first.refId, first.refName, first.stratum, first.leap], [p.refId, p.refName, p.stratum, p.leap], via);
            assert.equal(first.refName, "GPS", `${via}: chronyd follows the refclock`);
            assert.equal(`${first.refTime.sec}.${String(first.refTime.nsec).padStart(9, "0")}`, f[3], `${via}: ref time`);
            between(-first.systemOffsetS, f[4], -second.systemOffsetS, `${via}: system time (chronyc prints the correction: the opposite sign)`);
            printedAs(first.lastOffsetS, f[5], `${via}: last offset`);
            printedAs(first.rmsOffsetS, f[6], `${via}: rms offset`);
            printedAs(first.frequencyPpm, f[7], `${via}: frequency`);
            printedAs(first.residualFrequencyPpm, f[8], `${via}: residual frequency`);
            printedAs(first.skewPpm, f[9], `${via}: skew`);
            printedAs(first.rootDelayS, f[10], `${via}: root delay`);
            between(first.rootDispersionS, f[11], second.rootDispersionS, `${via}: root dispersion`);
            printedAs(first.updateIntervalS, f[12], `${via}: update interval`);
          },
        );
        assert.equal(cmdmon.counts().errors.timeout, 0);
      } finally {
        channel.close();
      }
    }
  });

  const sourceTable = (list: ChronySource[]): unknown => list.map((s) => [s.name, s.state, s.reach, s.lastOffsetS, s.measuredOffsetS, s.errorS]);
  const statsTable = (list: ChronySourceStats[]): unknown => list.map((s) => [s.name, s.samples, s.runs, s.spanS, s.frequencyPpm, s.stdDevS]);

  test(`${tools.label}: sources and sourcestats as chronyc -c prints them, over UDP and the unix socket`, { timeout: 60_000 }, async () => {
    for (const [via, open] of channels()) {
      const channel = await open();
      const cmdmon = new CmdmonClient(channel, systemClock());
      try {
        await sameMoment(
          () => cmdmon.sources(),
          () => rig.chronyc("-c", "sources"),
          sourceTable,
          (first, printed, second) => {
            const theirs = parseSources(printed);
            const rows = csvRows(printed);
            assert.deepEqual(
              first.map((s) => s.name),
              ["GPS", "127.0.0.1"],
              via,
            );
            assert.equal(theirs.length, first.length, via);
            first.forEach((s, i) => {
              const t = theirs[i]!;
              const what = `${via}: source ${s.name}`;
              assert.deepEqual([s.mode, s.state, s.name, s.stratum, s.poll, s.reach], [t.mode, t.state, t.name, t.stratum, t.poll, t.reach], what);
              between(s.lastRxAgoS ?? 4294967295, rows[i]![6], second[i]!.lastRxAgoS ?? 4294967295, `${what} last rx`);
              printedAs(s.lastOffsetS, rows[i]![7], `${what} offset`);
              printedAs(s.measuredOffsetS, rows[i]![8], `${what} measured offset`);
              printedAs(s.errorS, rows[i]![9], `${what} error`);
            });
          },
        );
        await sameMoment(
          () => cmdmon.sourceStats(),
          () => rig.chronyc("-c", "sourcestats"),
          statsTable,
          (first, printed, second) => {
            const theirs = parseSourceStats(printed);
            const rows = csvRows(printed);
            assert.equal(theirs.length, first.length, via);
            first.forEach((s, i) => {
              const t = theirs[i]!;
              const what = `${via}: sourcestats ${s.name}`;
              assert.deepEqual([s.name, s.samples, s.runs, s.spanS], [t.name, t.samples, t.runs, t.spanS], what);
              assert.ok(s.samples > 0, `${what}: has samples`);
              printedAs(s.frequencyPpm, rows[i]![4], `${what} frequency`);
              printedAs(s.freqSkewPpm, rows[i]![5], `${what} skew`);
              between(s.offsetS, rows[i]![6], second[i]!.offsetS, `${what} offset`);
              printedAs(s.stdDevS, rows[i]![7], `${what} std dev`);
            });
          },
        );
        await sameMoment(
          () => cmdmon.activity(),
          () => rig.chronyc("-c", "activity"),
          (a) => a,
          (a, printed) => {
            assert.deepEqual(csvRows(printed)[0]!.map(Number), [a.online, a.offline, a.burstOnline, a.burstOffline, a.unresolved], via);
            assert.equal(a.online + a.burstOnline, 1, `${via}: the NTP server is online, maybe still in its initial burst (refclocks are not counted)`);
          },
        );
      } finally {
        channel.close();
      }
    }
  });

  test(`${tools.label}: serverstats and clients: refused over UDP as needing the control socket; over the unix socket as chronyc -c prints them`, { timeout: 60_000 }, async () => {
    const udp = await openUdpCommandChannel("127.0.0.1", rig.cmdPort);
    const overUdp = new CmdmonClient(udp, systemClock());
    try {
      for (const read of [() => overUdp.serverStats(), () => overUdp.clients()]) {
        const err = await read().then(
          () => assert.fail("chronyd answered over UDP"),
          (e: unknown) => e as CmdmonError,
        );
        assert.ok(err instanceof CmdmonError);
        assert.equal(err.reason, "unauthorised");
        assert.match(err.message, /501 Not authorised.*needs the control socket: set chrony\.control/);
      }
      assert.equal((await overUdp.tracking()).refName, "GPS", "and monitoring goes on over the same channel");
    } finally {
      udp.close();
    }

    const unix = await openUnixCommandChannel(rig.cmdSocket);
    const cmdmon = new CmdmonClient(unix, systemClock());
    try {
      await sameMoment(
        () => cmdmon.serverStats(),
        () => rig.chronyc("-c", "serverstats"),
        (s) => [s.ntpReceived, s.ntpDropped],
        (first, printed, second) => {
          const p = parseServerStats(printed)!;
          const f = csvRows(printed)[0]!;
          assert.equal(first.ntpReceived, p.ntpReceived);
          assert.ok(first.ntpReceived >= 5, "the test's NTP requests are counted");
          assert.equal(first.ntpDropped, p.ntpDropped);
          between(first.commandReceived, f[2], second.commandReceived, "command packets received");
          assert.equal(first.commandDropped, p.commandDropped);
          assert.deepEqual([first.logRecordsDropped, first.ntsKeAccepted, first.ntsKeDropped, first.authenticatedNtp, first.interleavedNtp], f.slice(4, 9).map(Number));
        },
      );
      // The report as it came off the wire, every column chronyc prints: 11 from chrony 4.3, 17 (the timestamp counters) from 4.4 on.
      await sameMoment(
        () => cmdmon.request(SERVER_STATS, undefined),
        () => rig.chronyc("-c", "serverstats"),
        (w) => [w.ntpHits, w.ntpDrops, w.ntpTimestamps, w.timestamps],
        (w, printed) => {
          const f = csvRows(printed)[0]!.map(Number);
          const t = w.timestamps;
          assert.equal(f.length, t ? 17 : 11, `chronyc ${tools.version} prints ${f.length} columns; the reply had ${t ? "" : "no "}timestamp counters`);
          assert.equal(t !== undefined, fakeVersionFor(tools.version) === "4.6", "the timestamp counters come from chrony 4.4 and later alone");
          assert.deepEqual(
            [f[0], f[1], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]],
            [w.ntpHits, w.ntpDrops, w.cmdDrops, w.logDrops, w.nkeHits, w.nkeDrops, w.ntpAuthHits, w.ntpInterleavedHits, w.ntpTimestamps, w.ntpSpanS],
          );
          if (t) {
            assert.deepEqual(f.slice(11), [t.daemonRx, t.daemonTx, t.kernelRx, t.kernelTx, t.hwRx, t.hwTx]);
            assert.ok(t.daemonRx + t.kernelRx + t.hwRx >= 5, `the test's NTP requests were timestamped somewhere: ${JSON.stringify(t)}`);
          }
        },
      );
      await sameMoment(
        () => cmdmon.clients(),
        () => rig.chronyc("-c", "clients"),
        (list) => list.map((c) => [c.address, c.ntpHits, c.ntpDrops]),
        (first, printed, second) => {
          const rows = csvRows(printed);
          assert.deepEqual(
            first.map((c) => c.address),
            rows.map((r) => r[0]),
          );
          const c = first.find((x) => x.address === "127.0.0.1");
          assert.ok(c && c.ntpHits >= 5, `127.0.0.1 sent the test's NTP requests: ${JSON.stringify(first)}`);
          first.forEach((ours, i) => {
            const r = rows[i]!;
            const later = second[i]!;
            assert.deepEqual([String(ours.ntpHits), String(ours.ntpDrops), String(ours.ntpIntervalLog2 ?? 127)], [r[1], r[2], r[3]], ours.address);
            between(ours.lastNtpAgoS ?? 4294967295, r[5], later.lastNtpAgoS ?? 4294967295, `${ours.address} last NTP`);
            between(ours.cmdHits, r[6], later.cmdHits, `${ours.address} command hits`);
          });
        },
      );
    } finally {
      unix.close();
    }
  });

  test(`${tools.label}: serverstats requests of every length are answered by the real chronyd as by the fake chronyd of its version; the client's is taken by both versions`, {
    timeout: 30_000,
  }, async () => {
    const fake = new FakeChronyd("unix", undefined, { chrony: fakeVersionFor(tools.version) });
    const unix = await openUnixCommandChannel(rig.cmdSocket);
    const replies: Buffer[] = [];
    unix.onReply((r) => replies.push(r));
    /** What came back to one request: dropped (null), or [status, reply type, length]. */
    const outcome = (reply: Buffer | null | undefined): [number, number, number] | null => {
      if (!reply) return null;
      const h = readReplyHeader(reply);
      return [h.status, h.reply, reply.length];
    };
    const serverStatsRequest = (length: number, sequence: number): Buffer => {
      const b = Buffer.alloc(length);
      b[0] = 6;
      b[1] = 1;
      b.writeUInt16BE(Req.SERVER_STATS, 4);
      b.writeUInt32BE(sequence, 8);
      return b;
    };
    try {
      // Under a header; a bare header; 4.3's padding; 4.4's (what the client sends); the longest request chronyd takes (sizeof CMD_Request), and one more.
      const lengths = [REPLY_HEADER_LENGTH - 1, REPLY_HEADER_LENGTH, 72, 196, 860, 861];
      const real: Array<[number, number, number] | null> = [];
      for (const [i, length] of lengths.entries()) {
        replies.length = 0;
        unix.send(serverStatsRequest(length, 1000 + i));
        for (let t = 0; t < 20 && replies.length === 0; t++) await sleep(25);
        if (replies.length === 0) await sleep(200);
        real.push(outcome(replies.find((r) => readReplyHeader(r).sequence === 1000 + i)));
      }
      const faked = lengths.map((length, i) => outcome(fake.answer(serverStatsRequest(length, 1000 + i))));
      assert.deepEqual(faked, real, `lengths ${lengths.join(", ")}: the fake ${fake.chrony} answers as chronyd ${tools.version} does`);
      const layout = fake.layout(SERVER_STATS);
      assert.deepEqual(real[3], [0, layout.reply, REPLY_HEADER_LENGTH + layout.dataLength], "the client's 196-byte request gets this version's own layout");
      assert.deepEqual(real[2], layout.dataLength > 44 ? [19, 1, 28] : [0, layout.reply, 72], "72 bytes: enough for 4.3, 518 from 4.4 on");
    } finally {
      unix.close();
    }
  });

  test(`${tools.label}: chronyd's anti-amplification rule, as the protocol module's header states it: unpadded is dropped, short of padding is 518, padded is answered`, {
    timeout: 30_000,
  }, async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((resolve) => sock.connect(rig.cmdPort, "127.0.0.1", resolve));
    const replies: Buffer[] = [];
    sock.on("message", (m) => replies.push(m));
    const trackingRequest = (length: number): Buffer => {
      const b = Buffer.alloc(length);
      b[0] = 6;
      b[1] = 1;
      b.writeUInt16BE(33, 4);
      b.writeUInt32BE(length, 8);
      return b;
    };
    try {
      for (const length of [20, 28, 104]) {
        sock.send(trackingRequest(length));
        await sleep(300);
      }
      assert.deepEqual(
        replies.map((r) => [r.readUInt32BE(16), r.length, r.readUInt16BE(8)]),
        [
          [28, 28, 19],
          [104, 104, 0],
        ],
        "the 20-byte request got nothing; 28 bytes got a bare 518 (bad length); 104 got the tracking reply",
      );
    } finally {
      sock.close();
    }
  });

  test(`${tools.label}: the unix channel's reply socket lives beside chronyd's and goes with close(); a stopped chronyd is reported at once on both channels`, { timeout: 60_000 }, async () => {
    const unix = await openUnixCommandChannel(rig.cmdSocket);
    const mine = `stratum1d.${process.pid}.sock`;
    assert.ok(readdirSync(rig.dir).includes(mine), "bound beside chronyd.sock");
    const udp = await openUdpCommandChannel("127.0.0.1", rig.cmdPort);
    const viaUnix = new CmdmonClient(unix, systemClock());
    const viaUdp = new CmdmonClient(udp, systemClock());
    try {
      assert.equal((await viaUnix.tracking()).stratum, 1);
      // Anyone who may write to the reply socket can send it an empty datagram: a read of 0 that must not end the watch.
      const stranger = native().dgramOpen();
      assert.equal(native().dgramSendTo(stranger, join(rig.dir, mine), Buffer.alloc(0)), 0);
      assert.equal(native().dgramSendTo(stranger, join(rig.dir, mine), Buffer.from("not chronyd")), 11);
      native().fdClose(stranger);
      await sleep(100);
      assert.equal((await viaUnix.tracking()).stratum, 1, "still reading replies after an empty datagram");
      assert.equal(viaUnix.counts().errors.truncated, 1, "the stranger's 11 bytes are counted (shorter than a reply header)");
      rig.stopFeed();
      await rig.box.stop();
      for (const [client, pattern] of [
        [viaUnix, /no socket .*chronyd\.sock \(ENOENT\)|not listening .*ECONNREFUSED/],
        [viaUdp, /nothing answers on udp 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is chronyd running/],
      ] as const) {
        const startedMs = systemClock().monotonicMs();
        const err = await client.tracking().then(
          () => assert.fail("a stopped chronyd answered"),
          (e: unknown) => e as CmdmonError,
        );
        assert.equal(err.reason, "transport");
        assert.match(err.message, pattern);
        assert.ok(systemClock().monotonicMs() - startedMs < 900, "reported before the first resend");
      }
    } finally {
      unix.close();
      udp.close();
    }
    await sleep(100);
    assert.ok(!readdirSync(rig.dir).includes(mine), "removed on close");
  });
}
