/*
 * The addon's serialOpen on a real pseudo-terminal (socat): the port's
 * termios as stty reads it back (raw, 8N1, the baud rate, no flow control,
 * CLOCAL), the lock that keeps a second reader (gpsd) out, the errors an
 * operator meets said in words, and bytes written at the other end arriving
 * through the native reader.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { errnoName, native } from "../../src/hal/linux/native.js";
import { explainOpenError } from "../../src/hal/linux/serialPortSource.js";
import { openPtyPair } from "../../sim/run/ptyPair.js";

test("serialOpen: raw 8N1 at the baud rate, no flow control, locked against a second reader; errors in words", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-serialopen-"));
  const pty = await openPtyPair(join(dir, "gps"), join(dir, "feed"));
  const calls = native();
  try {
    const fd = calls.serialOpen(pty.device, 38400);
    assert.ok(fd >= 0, `serialOpen: ${errnoName(fd)}`);
    try {
      const stty = spawnSync("stty", ["-F", pty.device, "-a"], { encoding: "utf8" });
      assert.equal(stty.status, 0, stty.stderr);
      assert.match(stty.stdout, /speed 38400 baud/);
      for (const flag of ["cs8", "-parenb", "-cstopb", "-crtscts", "clocal", "cread", "-hupcl", "-ixon", "-ixoff", "-icanon", "-echo", "-isig", "-opost", "-icrnl"]) {
        assert.match(stty.stdout, new RegExp(`(^|\\s)${flag.replace("-", "\\-")}(\\s|$)`), `${flag} in ${stty.stdout}`);
      }
      assert.match(stty.stdout, /min = 1; time = 0;/);

      const second = calls.serialOpen(pty.device, 38400);
      assert.equal(errnoName(second), "EAGAIN", "a second opener is refused while the port is ours");
      assert.match(explainOpenError(pty.device, second).detail, /in use by another program \(gpsd\?/);

      // What the other end writes arrives through the reader, stamped.
      const got: Buffer[] = [];
      const buf = Buffer.alloc(256);
      const arrived = new Promise<void>((resolve) => {
        const reader = calls.readerStart(fd, buf, (n, stampUs) => {
          if (n <= 0) return;
          assert.ok(stampUs > 1.7e15, "a CLOCK_REALTIME stamp in µs");
          got.push(Buffer.from(buf.subarray(0, n)));
          if (Buffer.concat(got).includes("\n")) {
            if (typeof reader !== "number") calls.readerStop(reader);
            resolve();
          }
        });
        assert.notEqual(typeof reader, "number");
      });
      const feed = openSync(pty.feed, "w");
      writeSync(feed, "$GPRMC,test*00\r\n");
      closeSync(feed);
      await arrived;
      assert.equal(Buffer.concat(got).toString("latin1"), "$GPRMC,test*00\r\n", "raw: CR kept, nothing echoed or translated");
    } finally {
      calls.fdClose(fd);
    }
    const again = calls.serialOpen(pty.device, 9600);
    assert.ok(again >= 0, `closed, the port opens again: ${errnoName(again)}`);
    calls.fdClose(again);

    assert.equal(errnoName(calls.serialOpen(pty.device, 12345)), "EINVAL", "not a standard rate");
    const missing = calls.serialOpen(join(dir, "nothing"), 9600);
    assert.equal(explainOpenError(join(dir, "nothing"), missing).state, "missing");
    writeFileSync(join(dir, "plain"), "");
    const plain = calls.serialOpen(join(dir, "plain"), 9600);
    assert.equal(errnoName(plain), "ENOTTY", "a file that is not a terminal");
    assert.match(explainOpenError(join(dir, "plain"), plain).detail, /cannot open \(ENOTTY\)/);
  } finally {
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
