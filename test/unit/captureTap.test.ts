/*
 * The capture tap writes records in time order although they do not arrive
 * so: a kernel PPS edge is learned of at the next sysfs poll, after serial
 * chunks stamped later. Found under load (stress-ng beside the suite), where
 * the recorder refused the stream as out of order.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CaptureParser } from "../../src/capture/captureFormat.js";
import { CaptureTap } from "../../src/capture/captureTap.js";
import { createLogger } from "../../src/log/logger.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

test("records go out sorted by their stamps after a short hold; one later than the hold is noted, never written out of order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-tap-"));
  const clock = new VirtualClock(1_800_000_000e6);
  const tap = new CaptureTap(
    join(dir, "capture.sock"),
    createLogger(() => undefined),
    () => ({ baud: "9600" }),
    clock,
  );
  try {
    await tap.start();
    let text = "";
    const sock = connect(join(dir, "capture.sock"));
    sock.on("data", (d: Buffer) => (text += d.toString("latin1")));
    for (let i = 0; i < 50 && !tap.recording; i++) await sleep(10);
    assert.ok(tap.recording);
    const t0 = 1_800_000_000;
    // The chunk read at .106 is handed over before the edge at .000001 that the sysfs poll finds later.
    // One buffer for every read, as the native reader has: a held record must not change with the next read.
    const readBuffer = Buffer.alloc(8);
    readBuffer.write("$GPRMC\r\n", "latin1");
    tap.serial(readBuffer.subarray(0, 8), (t0 + 0.106) * 1e6);
    tap.edge("assert", { sec: t0, nsec: 1300 }, 7);
    readBuffer.write("$GPGGA\r\n", "latin1");
    tap.serial(readBuffer.subarray(0, 8), (t0 + 0.2) * 1e6);
    clock.advanceTo((t0 + 3) * 1e6);
    // Stamped before what went out already: only a comment.
    tap.edge("assert", { sec: t0 - 1, nsec: 0 }, 6);
    const ended = new Promise<void>((resolve) => sock.once("end", () => resolve()));
    await tap.close();
    await ended;
    const parser = new CaptureParser("tap");
    const records = text
      .split("\n")
      .map((l) => parser.line(l))
      .filter((r) => r !== undefined);
    assert.deepEqual(
      records.map((r) => r.kind),
      ["assert", "serial", "serial"],
      "the edge first, as stamped",
    );
    assert.deepEqual(
      records.flatMap((r) => (r.kind === "serial" ? [r.bytes.toString("latin1")] : [])),
      ["$GPRMC\r\n", "$GPGGA\r\n"],
      "each read as it was, though the reader's buffer was reused",
    );
    assert.match(text, /# late: a assert record stamped .* reached the tap after later records were written/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
