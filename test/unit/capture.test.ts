/*
 * The capture format and what turns logs into captures: exact bytes through
 * a file and back, errors that name the line, the converter's pacing and
 * pulses, moving a capture in time (NMEA and UBX, judged by the product's own
 * decoders), and the model of a serial line at the wrong baud rate.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCaptureFile, writeCaptureFile, CaptureFileWriter } from "../../src/capture/captureFile.js";
import { CaptureFormatError, formatCapture, parseCapture, type Capture, type CaptureRecord } from "../../src/capture/captureFormat.js";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { labelForPosix, retimeUbx } from "../../sim/replay/retime.js";
import { shiftCapture } from "../../sim/replay/shiftCapture.js";
import { UartLine } from "../../sim/replay/uartResample.js";
import { Framer } from "../../src/gnss/framer.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { offlinePipeline } from "../support/offline.js";

const serialOf = (c: Capture): Buffer => Buffer.concat(c.records.flatMap((r) => (r.kind === "serial" ? [r.bytes] : [])));

test("every byte value, every record kind and the header survive a file and come back exactly, plain and gzipped", async () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const c: Capture = {
    header: { baud: "9600", receiver: "u-blox NEO-M8N", board: "Raspberry Pi 4 Model B Rev 1.4" },
    records: [
      { kind: "assert", at: { sec: 1764392400, nsec: 1234 }, seq: 7 },
      { kind: "serial", at: { sec: 1764392400, nsec: 171_000_000 }, bytes: Buffer.from("$GNRMC,a\\b*00\r\n", "latin1") },
      { kind: "serial", at: { sec: 1764392400, nsec: 300_000_000 }, bytes: all },
      { kind: "clear", at: { sec: 1764392400, nsec: 100_001_234 }, seq: 7 },
      { kind: "assert", at: { sec: 1764392401, nsec: 0 }, seq: 8, truth: "leap" },
      { kind: "assert", at: { sec: 1764392401, nsec: 400_000_000 }, seq: 9, truth: "none" },
      { kind: "assert", at: { sec: 1764392402, nsec: 0 }, seq: 10, truth: 1764392401 },
      { kind: "event", at: { sec: 1764392403, nsec: 0 }, event: "baud", args: "38400" },
      { kind: "event", at: { sec: 1764392404, nsec: 0 }, event: "note", args: "antenna cable pulled" },
    ],
  };
  // The clear edge above is out of order on purpose: the parser must refuse it; the rest go in order.
  const ordered = { ...c, records: c.records.filter((r) => r.kind !== "clear") };
  const dir = mkdtempSync(join(tmpdir(), "capture-test-"));
  for (const name of ["a.cap", "a.cap.gz"]) {
    writeCaptureFile(join(dir, name), ordered);
    assert.deepEqual(readCaptureFile(join(dir, name)), ordered, name);
  }
  assert.ok(readFileSync(join(dir, "a.cap.gz")).length < readFileSync(join(dir, "a.cap")).length);
  assert.throws(() => parseCapture(formatCapture(c), "x.cap"), /x\.cap:8: time 1764392400\.100001234 goes back from 1764392400\.300000000/);

  // The recorder writes the same format as it goes.
  const w = new CaptureFileWriter(join(dir, "live.cap.gz"), ordered.header);
  for (const r of ordered.records) w.write(r);
  await w.close();
  assert.deepEqual(readCaptureFile(join(dir, "live.cap.gz")), ordered);
});

test("a bad capture is refused with the line and the cause", () => {
  const bad: Array<[string, RegExp]> = [
    ["", /empty file/],
    ["$GNRMC,...\n", /c:1: not a stratum1 capture .*npm run hil -- convert/],
    ["stratum1-capture 2\n", /c:1: capture format version 2; this build reads version 1/],
    ["stratum1-capture 1\nS 12.5 abc\n", /c:2: time "12\.5" is not SECONDS\.NANOSECONDS/],
    ["stratum1-capture 1\nS 12.000000000 a\\qb\n", /c:2: serial bytes are empty or badly escaped/],
    ["stratum1-capture 1\nA 12.000000000 x\n", /c:2: expected 'A TIME SEQ \[TRUTH\]'/],
    ["stratum1-capture 1\nE 12.000000000 explode\n", /c:2: unknown event 'explode'/],
    ["stratum1-capture 1\nE 12.000000000 baud fast\n", /c:2: 'baud' needs the new rate/],
    ["stratum1-capture 1\nS 12.000000000 a\nH late header\n", /c:3: header line after the first timed record/],
    ["stratum1-capture 1\nX 12.000000000 a\n", /c:2: unknown record type 'X'/],
  ];
  for (const [text, re] of bad)
    assert.throws(
      () => parseCapture(text, "c"),
      (e: unknown) => e instanceof CaptureFormatError && re.test(e.message),
      JSON.stringify(text),
    );
});

test("a log converted to a capture: epochs one a second, paced at the baud rate after the delay, pulses only with a fix, bytes as logged", () => {
  const epochs = splitEpochs(readCapture("neo-m8n.log"));
  const startS = 1_795_176_000;
  const c = convertEpochs(epochs, { baud: 9600, delayMs: 120, startS, retime: false, pulses: "fix", header: { receiver: "u-blox NEO-M8N" } });
  assert.equal(c.header.baud, "9600");
  // Bytes exact: the log's frames, in order (its '#' notes are not receiver output).
  assert.deepEqual(serialOf(c), Buffer.concat(epochs.flatMap((e) => e.frames.map((f) => f.bytes))));
  const serial = c.records.filter((r): r is Extract<CaptureRecord, { kind: "serial" }> => r.kind === "serial");
  // The second epoch (a full one) starts 120 ms after its second plus its first sentence's time on the wire.
  const firstOfEpoch1 = serial[epochs[0]!.frames.length]!;
  assert.equal(firstOfEpoch1.at.sec, startS + 1);
  assert.equal(firstOfEpoch1.at.nsec, Math.round(120e6 + (firstOfEpoch1.bytes.length * 10 * 1e9) / 9600));
  for (let i = epochs[0]!.frames.length + 1; i < epochs[0]!.frames.length + epochs[1]!.frames.length; i++) {
    const gapNs = (serial[i]!.at.sec - serial[i - 1]!.at.sec) * 1e9 + serial[i]!.at.nsec - serial[i - 1]!.at.nsec;
    assert.ok(Math.abs(gapNs - (serial[i]!.bytes.length * 10 * 1e9) / 9600) <= 1, "each frame leaves the UART right after the one before");
  }
  const edges = c.records.filter((r) => r.kind === "assert");
  // The log opens with a fragment (GSV and GLL, no fix stated); every other epoch has its fix.
  assert.equal(edges.length, epochs.length - 1);
  assert.ok(edges.every((e) => e.at.nsec === 0 && e.at.sec >= startS + 1));
});

test("a capture moved in time: every NMEA label and every UBX time moves by the same whole seconds, the rest stays byte for byte", () => {
  const startS = 1_795_176_000;
  const nmea = convertEpochs(splitEpochs(readCapture("neo-m8n.log")), { baud: 9600, delayMs: 100, startS, pulses: "always", header: {} });
  const delta = 86_400 * 40 + 3_601; // across a month and an hour
  const moved = shiftCapture(nmea, delta);
  const label = (c: Capture): number[] => {
    const o = offlinePipeline("2020-01-01", 1);
    for (const r of c.records) if (r.kind === "serial") o.pipeline.push(r.bytes, (r.at.sec + r.at.nsec / 1e9) * 1e6);
    o.pipeline.idle(Number.MAX_SAFE_INTEGER, 0);
    assert.deepEqual(o.health.decode, {}, "every rewritten sentence still has a right checksum");
    return o.sink.samples.map((s) => s.utcSecond);
  };
  const before = label(nmea);
  assert.ok(before.length > 15);
  assert.deepEqual(
    label(moved),
    before.map((s) => s + delta),
  );
  assert.equal(serialOf(moved).length, serialOf(nmea).length, "lengths kept: a read that ends mid-sentence still ends there");
  assert.ok(moved.records.every((r, i) => r.at.sec === nmea.records[i]!.at.sec + delta && r.at.nsec === nmea.records[i]!.at.nsec));

  // UBX: a u-blox M8T in time mode, NAV messages beside NMEA, across the end of a GPS week.
  const ubx = convertEpochs(splitEpochs(readCapture("u-blox-m8t-time.log")), { baud: 9600, delayMs: 60, startS: Date.UTC(2026, 10, 28, 23, 59, 40) / 1000, pulses: "always", header: {} });
  const times = (c: Capture): Array<[string, number]> => {
    const out: Array<[string, number]> = [];
    const framer = new Framer({
      frame: (f) => {
        if (f.kind !== "ubx") return;
        const d = decodeUbx(f.msgClass, f.msgId, f.payload);
        if (d.ok && d.report.date && d.report.timeOfDay) {
          const t = d.report.timeOfDay;
          out.push([d.report.source, Date.UTC(d.report.date.year, d.report.date.month - 1, d.report.date.day, t.hour, t.minute, t.second) / 1000]);
        }
      },
      reject: (reason) => assert.fail(`framing: ${reason}`),
    });
    framer.push(serialOf(c), 0);
    return out;
  };
  const ubxBefore = times(ubx);
  assert.ok(new Set(ubxBefore.map(([s]) => s)).size >= 2, `UBX time messages decoded: ${[...new Set(ubxBefore.map(([s]) => s))]}`);
  // 2026-11-28T23:59:58 UTC is Saturday 23:59:58+18 s GPS: 20 s later GPS starts week 2447.
  assert.deepEqual(
    times(shiftCapture(ubx, 20)),
    ubxBefore.map(([s, t]) => [s, t + 20]),
  );
});

test("UBX retimed to a label: NAV-TIMEGPS names the week and second of week, checksum right, leap second kept as 60 in NAV-PVT", () => {
  const tg = Buffer.alloc(16);
  tg.writeInt8(18, 10);
  tg.writeUInt8(7, 11);
  const l = labelForPosix(Date.UTC(2026, 10, 29, 12, 0, 0) / 1000);
  const out = retimeUbx(encodeUbx(0x01, 0x20, tg), l);
  const d = decodeUbx(out[2]!, out[3]!, out.subarray(6, out.length - 2));
  assert.ok(d.ok);
  assert.deepEqual([d.report.date, d.report.timeOfDay?.hour, d.report.timeOfDay?.second], [{ year: 2026, month: 11, day: 29 }, 12, 0]);
  const framer = new Framer({ frame: () => undefined, reject: (r) => assert.fail(r) });
  framer.push(out, 0);
});

test("the serial line at the wrong baud rate: the same rate passes bytes unchanged, a faster sender reads as garbage, by the line's own arithmetic", () => {
  const sentence = Buffer.from("$GNRMC,120000.00,A,4404.14066,N,12118.85481,W,0.050,,201126,,,A*6B\r\n", "latin1");
  const same = new UartLine(9600, 9600);
  assert.deepEqual(Buffer.concat([same.send(sentence), same.idle()]), sentence);

  // 0x00 sent twice as fast: the start bit is seen, data bits fall on sender bits 3, 5, 7 (zeros) then on its stop bit and the idle line (ones).
  const fast = new UartLine(19200, 9600);
  assert.deepEqual(Buffer.concat([fast.send(Buffer.from([0x00])), fast.idle()]), Buffer.from([0xf8]));
  // 0xFF sent twice as fast: the start bit is over before the receiver's mid-bit check: nothing at all.
  const glitch = new UartLine(19200, 9600);
  assert.equal(Buffer.concat([glitch.send(Buffer.from([0xff])), glitch.idle()]).length, 0);

  const garbled = new UartLine(38400, 9600);
  const heard = Buffer.concat([garbled.send(Buffer.concat([sentence, sentence, sentence])), garbled.idle()]);
  assert.ok(heard.length > 0 && heard.length < sentence.length, `a quarter of the bytes or fewer: ${heard.length}`);
  const o = offlinePipeline();
  o.pipeline.push(heard, 1);
  assert.equal(o.health.counts.nmeaSentences, 0, "nothing decodes");
});

test("a recorded capture file can be hand-edited: a comment line and a note are kept out of the records", () => {
  const dir = mkdtempSync(join(tmpdir(), "capture-test-"));
  writeFileSync(join(dir, "x.cap"), "stratum1-capture 1\nH baud 9600\n# the antenna was pulled here\nS 10.000000000 $\\r\\n\n");
  const c = readCaptureFile(join(dir, "x.cap"));
  assert.deepEqual(c.records, [{ kind: "serial", at: { sec: 10, nsec: 0 }, bytes: Buffer.from("$\r\n") }]);
});
