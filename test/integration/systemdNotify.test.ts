/*
 * The daemon under a service manager's protocol, with a datagram socket
 * standing where systemd's notify socket would be: READY=1 with its status,
 * a watchdog ping from every status tick (none while the
 * process is stopped), the status line following the box's state, STOPPING=1
 * on SIGTERM; on a path and in the abstract namespace. (The unit against a
 * real systemd is the nspawn boot test's job.)
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { errnoName, native } from "../../src/hal/linux/native.js";
import { spawnDaemon } from "../../sim/run/daemonProcess.js";

interface Heard {
  atMs: number;
  text: string;
}

function listen(path: string): { heard: Heard[]; stop(): void } {
  const calls = native();
  const fd = calls.dgramBind(path);
  if (fd < 0) throw new Error(`bind ${path}: ${errnoName(fd)}`);
  const heard: Heard[] = [];
  const buf = Buffer.alloc(4096);
  const t = setInterval(() => {
    for (let n = calls.dgramRecv(fd, buf); n > 0; n = calls.dgramRecv(fd, buf)) heard.push({ atMs: Date.now(), text: buf.subarray(0, n).toString() });
  }, 20);
  return {
    heard,
    stop: () => {
      clearInterval(t);
      calls.fdClose(fd);
    },
  };
}

for (const where of ["path", "abstract"] as const) {
  test(`sd_notify over a ${where} socket: READY=1, watchdog pings from the live tick only, status, STOPPING=1`, { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratum1-notify-"));
    const path = where === "path" ? join(dir, "notify") : `@stratum1-test-notify-${process.pid}`;
    const sock = listen(path);
    const daemon = spawnDaemon(
      [
        "--serial",
        join(dir, "no-such-tty"),
        "--sock",
        "off",
        "--status",
        "off",
        "--pps-sysfs",
        "off",
        "--set",
        "lcd.bus=off",
        "--set",
        "chrony.monitor=off",
        "--set",
        "chrony.control=off",
        "--set",
        "capture.socket=off",
        "--set",
        "control.socket=off",
        // The host's tzdata leap second list may have expired (a notice in the status line); not this test's subject.
        "--set",
        "time.leap-list=off",
      ],
      undefined,
      {
        ...process.env,
        NOTIFY_SOCKET: path,
        WATCHDOG_USEC: "5000000",
      },
    );
    try {
      await sleep(4500);
      const pid = daemon.process.pid!;
      daemon.process.kill("SIGSTOP");
      const stoppedAt = Date.now();
      await sleep(3000);
      daemon.process.kill("SIGCONT");
      await sleep(2500);
      await daemon.stop();
      await sleep(100);
      const h = sock.heard;
      assert.equal(h[0]?.text, `READY=1\nSTATUS=waiting for GPS\nMAINPID=${pid}`, "ready first, with its status");
      const pings = h.filter((x) => x.text === "WATCHDOG=1");
      assert.ok(pings.length >= 6, `${pings.length} pings in ~7 s of running with WatchdogSec=5`);
      const gaps = pings.slice(1).map((p, i) => p.atMs - pings[i]!.atMs);
      assert.equal(gaps.filter((g) => g > 2000).length, 1, `one gap above 2 s, the stopped process: ${gaps.join(", ")} ms`);
      assert.ok(!pings.some((p) => p.atMs > stoppedAt + 1100 && p.atMs < stoppedAt + 3000), "no ping while the process was stopped");
      assert.ok(
        h.some((x) => /^STATUS=waiting for GPS \(.*no-such-tty: .*\); alarms: no gps data$/.test(x.text)),
        `the status line names what it waits for: ${h.map((x) => JSON.stringify(x.text)).join(" ")}`,
      );
      const statuses = h.filter((x) => x.text.startsWith("STATUS=")).map((x) => x.text);
      assert.ok(
        statuses.every((x) => x.startsWith("STATUS=waiting for GPS")),
        `from start to alarm it says what it waits for, never "syncing": ${statuses.join(" | ")}`,
      );
      assert.ok(
        statuses.every((x, i) => i === 0 || x !== statuses[i - 1]),
        `the status is sent when it changes, not every second: ${statuses.join(" | ")}`,
      );
      assert.equal(h.at(-1)?.text, "STOPPING=1");
    } finally {
      sock.stop();
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
