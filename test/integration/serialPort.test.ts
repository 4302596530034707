/*
 * The serial port as the service uses it, on a real pty: reads are handed
 * to the service in batches, a burst at a time (src/hal/linux/serialPortSource.ts,
 * READ_QUIET_MS and READ_HOLD_MS), and each read must still carry the moment it
 * was read, not the moment the batch was handed over, or every NMEA sample
 * would carry the hold as error. The sentence that opens a burst is read as
 * it comes; the rest are gathered a quiet gap at a time (native reader's nap).
 */
import assert from "node:assert/strict";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { READ_HOLD_MS, readQuietMs, SerialPortSource } from "../../src/hal/linux/serialPortSource.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import type { DeviceState } from "../../src/hal/byteSource.js";
import { openPtyPair } from "../../sim/run/ptyPair.js";

const LINES = 5;
const BAUD = 115200;
/** Inside a burst: closer together than the quiet gap that ends one. */
const SPACING_MS = 8;
/** A hold the composition may ask for, shorter than the one the source starts with. */
const SHORT_HOLD_MS = 150;

test("a burst of sentences on the serial port: handed over together once the line goes quiet, each read stamped when it was read, every byte in order", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-serial-"));
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const clock = systemClock();
  const source = new SerialPortSource(join(dir, "gps"), BAUD, clock);
  const reads: Array<{ text: string; rxUs: number; handedUs: number }> = [];
  const states: DeviceState[] = [];
  let calls = 0;
  let inTurn = false;
  try {
    source.start({
      data: (chunk, rxUs) => {
        // Reads handed over in one call share one turn of the event loop; a microtask ends the turn.
        if (!inTurn) {
          inTurn = true;
          calls += 1;
          queueMicrotask(() => (inTurn = false));
        }
        reads.push({ text: chunk.toString("latin1"), rxUs, handedUs: clock.realtimeUs() });
      },
      device: (s) => states.push(s),
    });
    for (let i = 0; i < 50 && !states.some((s) => s.state === "open"); i++) await sleep(20);
    assert.ok(
      states.some((s) => s.state === "open"),
      JSON.stringify(states),
    );
    const feed = openSync(pty.feed, "w");
    const writtenUs: number[] = [];
    const lines = Array.from({ length: LINES }, (_, i) => `$GPTXT,01,01,02,line ${i}*00\r\n`);
    for (const line of lines) {
      writtenUs.push(clock.realtimeUs());
      writeSync(feed, line);
      await sleep(SPACING_MS);
    }
    // A stream that never pauses is still handed over, at the latest READ_HOLD_MS after a batch's first read.
    const streamed = Array.from({ length: Math.ceil((2 * READ_HOLD_MS) / SPACING_MS) }, (_, i) => `$GPTXT,01,01,02,stream ${i}*00\r\n`);
    await sleep(readQuietMs(BAUD) * 8);
    const burstCalls = calls;
    const streamStartUs = clock.realtimeUs();
    for (const line of streamed) {
      writeSync(feed, line);
      await sleep(SPACING_MS);
    }
    // The composition shortens the hold (pipeline/readHold.ts): the next stream comes in shorter batches.
    await sleep(READ_HOLD_MS + 300);
    source.holdFor(SHORT_HOLD_MS);
    const shortStartUs = clock.realtimeUs();
    const callsBeforeShort = calls;
    const shortStream = Array.from({ length: Math.ceil(READ_HOLD_MS / SPACING_MS) }, (_, i) => `$GPTXT,01,01,02,short ${i}*00\r\n`);
    for (const line of shortStream) {
      writeSync(feed, line);
      await sleep(SPACING_MS);
    }
    closeSync(feed);
    await sleep(READ_HOLD_MS + 300);

    assert.equal(reads.map((r) => r.text).join(""), lines.join("") + streamed.join("") + shortStream.join(""), "every byte, in order");
    // Where each line begins in the stream, and the read that brought its first byte.
    let at = 0;
    const firstReadOf = lines.map((line) => {
      const start = at;
      at += line.length;
      let seen = 0;
      return reads.find((r) => (seen += r.text.length) > start)!;
    });
    for (const [i, r] of firstReadOf.entries()) assert.ok(r.rxUs >= writtenUs[i]!, `line ${i} stamped ${r.rxUs - writtenUs[i]!} µs after it was written: never before`);
    const stamps = reads.map((r) => r.rxUs);
    assert.deepEqual(
      stamps,
      [...stamps].sort((a, b) => a - b),
      "stamps in the order of the reads",
    );
    const burstReads = reads.filter((r) => r.rxUs < streamStartUs).length;
    // The opening sentence is read alone, as it comes (its stamp is the epoch's); the rest are gathered
    // by reads a quiet gap apart, not one wake-up of the service per sentence.
    assert.equal(reads[0]!.text, lines[0], "the burst's opening sentence read alone, when it came");
    assert.ok(burstReads < LINES, `the burst's ${LINES} sentences came in ${burstReads} reads: gathered`);
    assert.ok(burstCalls < burstReads, `the burst's ${burstReads} reads handed over in ${burstCalls} calls: held and handed together`);
    // Handed over together, yet stamped apart: the stamps span the burst, not the moment of handing over.
    const spanMs = (firstReadOf[LINES - 1]!.rxUs - firstReadOf[0]!.rxUs) / 1000;
    assert.ok(spanMs >= ((LINES - 1) * SPACING_MS) / 2, `the burst's stamps span ${spanMs.toFixed(1)} ms (written over ${(LINES - 1) * SPACING_MS} ms)`);
    // Handed over when the line went quiet, not held for the whole READ_HOLD_MS (margins for a loaded machine).
    const lastOfBurst = reads.filter((r) => r.rxUs < streamStartUs).at(-1)!;
    const heldMs = (lastOfBurst.handedUs - lastOfBurst.rxUs) / 1000;
    assert.ok(heldMs < READ_HOLD_MS / 2, `the burst's last read handed over ${heldMs.toFixed(1)} ms after it was read (quiet gap ${readQuietMs(BAUD)} ms)`);
    const streamReads = reads.filter((r) => r.rxUs >= streamStartUs && r.rxUs < shortStartUs);
    const longestHeldMs = Math.max(...streamReads.map((r) => (r.handedUs - r.rxUs) / 1000));
    assert.ok(longestHeldMs <= READ_HOLD_MS + 300, `a read of the unbroken stream held ${longestHeldMs.toFixed(1)} ms (at most ${READ_HOLD_MS} ms)`);
    assert.ok(
      callsBeforeShort - burstCalls >= 2,
      `the unbroken stream (${streamReads.length} reads over ${(streamed.length * SPACING_MS) / 1000} s) handed over in ${callsBeforeShort - burstCalls} calls`,
    );
    const shortReads = reads.filter((r) => r.rxUs >= shortStartUs);
    const longestShortMs = Math.max(...shortReads.map((r) => (r.handedUs - r.rxUs) / 1000));
    assert.ok(longestShortMs <= SHORT_HOLD_MS + 300, `after holdFor(${SHORT_HOLD_MS}) a read was held ${longestShortMs.toFixed(1)} ms`);
    assert.ok(calls - callsBeforeShort >= 3, `the stream after holdFor(${SHORT_HOLD_MS}) handed over in ${calls - callsBeforeShort} calls`);
  } finally {
    await source.stop();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the service's writes reach the receiver, the rate can be changed, and a port it cannot use is named with the fix", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-serial-"));
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const clock = systemClock();
  const opened = async (path: string, baud: number): Promise<{ source: SerialPortSource; states: DeviceState[] }> => {
    const source = new SerialPortSource(path, baud, clock);
    const states: DeviceState[] = [];
    source.start({ data: () => undefined, device: (s) => states.push(s) });
    for (let i = 0; i < 50 && !states.some((s) => s.state !== "opening"); i++) await sleep(20);
    return { source, states };
  };
  const sources: SerialPortSource[] = [];
  try {
    const { source, states } = await opened(join(dir, "gps"), 9600);
    sources.push(source);
    assert.equal(states.at(-1)?.state, "open", JSON.stringify(states));
    const feed = openSync(pty.feed, constants.O_RDONLY | constants.O_NONBLOCK);
    const command = Buffer.from("\xb5\x62\x06\x00\x01\x00\x01\x08\x22", "latin1");
    await source.write(command);
    const got = Buffer.alloc(64);
    let n = 0;
    for (let i = 0; i < 50 && n < command.length; i++) {
      try {
        n += readSync(feed, got, n, got.length - n, null);
      } catch {
        await sleep(20);
      }
    }
    closeSync(feed);
    assert.deepEqual(got.subarray(0, n), command, "the command's bytes, as written");
    await source.setBaud(115200);
    assert.equal(source.baud, 115200);
    await assert.rejects(source.setBaud(12345), /cannot set 12345 baud/);

    const second = await opened(join(dir, "gps"), 9600);
    sources.push(second.source);
    assert.match(second.states.at(-1)?.detail ?? "", /is in use by another program/, JSON.stringify(second.states));
    writeFileSync(join(dir, "plain"), "");
    const plain = await opened(join(dir, "plain"), 9600);
    sources.push(plain.source);
    assert.match(plain.states.at(-1)?.detail ?? "", /is not a serial port: set serial\.path/, JSON.stringify(plain.states));
    const missing = await opened(join(dir, "nothing"), 9600);
    sources.push(missing.source);
    assert.equal(missing.states.at(-1)?.state, "missing");
    const odd = await opened(pty.device, 12345);
    sources.push(odd.source);
    assert.match(odd.states.at(-1)?.detail ?? "", /cannot set 12345 baud: give a standard rate/, JSON.stringify(odd.states));
  } finally {
    for (const s of sources) await s.stop();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reads taken at the tick: nothing handed over when the line goes quiet, everything held handed over by takeHeld, stamped when read; the hold still a net", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-serial-"));
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const clock = systemClock();
  const source = new SerialPortSource(join(dir, "gps"), BAUD, clock);
  const NET_MS = 1500;
  source.holdFor(NET_MS, true);
  const reads: Array<{ text: string; rxUs: number; handedUs: number }> = [];
  const states: DeviceState[] = [];
  try {
    source.start({ data: (chunk, rxUs) => reads.push({ text: chunk.toString("latin1"), rxUs, handedUs: clock.realtimeUs() }), device: (s) => states.push(s) });
    for (let i = 0; i < 50 && !states.some((s) => s.state === "open"); i++) await sleep(20);
    assert.ok(
      states.some((s) => s.state === "open"),
      JSON.stringify(states),
    );
    const feed = openSync(pty.feed, "w");
    const lines = Array.from({ length: LINES }, (_, i) => `$GPTXT,01,01,02,tick ${i}*00\r\n`);
    const firstWrittenUs = clock.realtimeUs();
    for (const line of lines) {
      writeSync(feed, line);
      await sleep(SPACING_MS);
    }
    // Quiet for many quiet gaps: with the reads taken at the tick, still nothing handed over.
    await sleep(readQuietMs(BAUD) * 8 + 200);
    assert.equal(reads.length, 0, "handed over when the line went quiet, though the reads wait to be taken");
    const takenUs = clock.realtimeUs();
    source.takeHeld();
    assert.equal(reads.map((r) => r.text).join(""), lines.join(""), "takeHeld hands over every read held, before it returns");
    for (const r of reads) assert.ok(r.rxUs >= firstWrittenUs && r.rxUs < takenUs - 100_000, `a read stamped ${((takenUs - r.rxUs) / 1000).toFixed(1)} ms before it was taken: when it was read`);
    // Nobody takes the next one: the hold hands it over.
    const lateUs = clock.realtimeUs();
    writeSync(feed, "$GPTXT,01,01,02,late*00\r\n");
    closeSync(feed);
    await sleep(NET_MS + 400);
    const late = reads.find((r) => r.text.includes("late"));
    assert.ok(late, "a read nobody took was never handed over");
    const heldMs = (late.handedUs - lateUs) / 1000;
    assert.ok(heldMs >= NET_MS - 50 && heldMs <= NET_MS + 300, `a read nobody took handed over after ${heldMs.toFixed(0)} ms (the hold: ${NET_MS} ms)`);
  } finally {
    await source.stop();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
