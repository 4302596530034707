/*
 * Bad input through the real daemon and a real pty: noise, a 1 MB line with
 * no newline and a burst at the wrong baud rate arrive between good epochs.
 * The daemon must count them, keep its memory bounded, and go on labelling
 * every good second for chrony.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { replay } from "../../sim/replay/replayer.js";
import { startRig } from "../support/rig.js";

const peakRssKb = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

test("noise, a 1 MB line and a wrong-baud burst are counted, memory stays bounded, samples keep flowing", { timeout: 120_000 }, async () => {
  const rig = await startRig({
    chronyLines: (dir) => [`refclock SOCK ${dir}/nmea.sock refid NMEA poll 1`],
    daemonArgs: (p) => ["--serial", p.device, "--baud", "9600", "--sock", p.sock, "--status", p.status],
  });
  try {
    const oneMb = Buffer.alloc(1 << 20, 0x41);
    oneMb[0] = 0x24; // '$', then a megabyte without a newline
    // What a 9600-baud stream looks like read at 4800: high-bit bytes, no '$' and no newline.
    const wrongBaud = Buffer.from(Array.from({ length: 600 }, (_, i) => [0xe6, 0x9e, 0x18, 0x78, 0x80, 0xfe, 0x66][i % 7]!));
    const inject: Record<number, Buffer> = { 5: Buffer.from("\x00\xff\x13garbage\x07\x7f"), 7: oneMb, 9: wrongBaud };
    const sent = new Set<number>();
    // Written straight to the feed, not paced: 1 MB at 9600 baud would take 18 minutes to replay.
    const junkFd = openSync(rig.paths.feed, "w");
    await replay(rig.epochs("neo-m8n.log"), {
      feedPath: rig.paths.feed,
      baud: 9600,
      delayMs: 100,
      startSecond: rig.nextSecond(),
      rewrite: true,
      epochs: 14,
      clock: rig.clock,
      onWrite: (w) => {
        if (w.frameIndex === 1) sent.add(w.utcSecond);
        const junk = inject[w.epochIndex];
        if (junk && w.frameIndex === w.lastFrameIndex) writeSync(junkFd, junk);
      },
    });
    closeSync(junkFd);
    await sleep(1200);
    const status = JSON.parse(readFileSync(rig.paths.status, "utf8"));
    assert.ok(status.rejected.framing["line-too-long"] >= 1, JSON.stringify(status.rejected));
    assert.ok(status.rejected.framing["garbage-bytes"] >= 2, JSON.stringify(status.rejected));
    const rss = peakRssKb(rig.daemon.process.pid!);
    assert.ok(rss < 100 * 1024, `daemon peak RSS ${rss} kB after a 1 MB line`);
    const labelled = rig.chrony.refclockSamples().map((s) => Math.round(s.localS + s.rawOffsetS));
    for (const second of [...sent].slice(-4)) assert.ok(labelled.includes(second), `the good epoch ${second} after the bad input reached chrony`);
    assert.ok(
      rig.daemon.lines.some((l) => /input: line-too-long: .*wrong baud rate/.test(l)),
      "the long line was logged with its likely cause",
    );
    assert.equal(rig.daemon.process.exitCode, null, "the daemon is still running");
  } finally {
    await rig.close();
  }
});
