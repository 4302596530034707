/* chrony's figures for the panel and the status, read from a real chronyd with chronyc -c: tracking, sources, NTP clients served, and a chronyd that goes away. */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ChronyMonitor } from "../../src/chrony/chronyMonitor.js";
import { chronycQuery } from "../../src/hal/linux/chronycQuery.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import { createLogger } from "../../src/log/logger.js";
import { startChronyd } from "../../sim/run/chronyd.js";

/** Sends `n` NTP client requests (mode 3) to 127.0.0.1:port and waits for the replies. */
async function ntpRequests(port: number, n: number): Promise<number> {
  const sock = createSocket("udp4");
  let replies = 0;
  sock.on("message", () => (replies += 1));
  const req = Buffer.alloc(48);
  req[0] = 0x23; // LI 0, version 4, mode 3 (client)
  for (let i = 0; i < n; i++) sock.send(req, port, "127.0.0.1");
  for (let i = 0; i < 40 && replies < n; i++) await sleep(25);
  sock.close();
  return replies;
}

test("chrony's tracking, sources and served clients come from chronyc -c; a stopped chronyd is reported once, not shown as current", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-chronymon-"));
  const port = 20000 + (process.pid % 20000);
  const chrony = await startChronyd(dir, [`refclock SOCK ${dir}/nmea.sock refid NMEA poll 2`], { ntpPort: port });
  const logLines: string[] = [];
  const monitor = new ChronyMonitor(
    chronycQuery(chrony.cmdSocket),
    systemClock(),
    createLogger((l) => logLines.push(l)),
    0,
  );
  try {
    await monitor.poll();
    let st = monitor.status();
    assert.equal(st.reachable, true, st.error ?? "");
    assert.equal(st.tracking?.leap, "unsynchronised", "no sample yet: chrony says so, and so does the status");
    assert.deepEqual(
      st.sources.map((s) => [s.name, s.mode]),
      [["NMEA", "#"]],
    );
    assert.equal(st.ntp?.received, 0);

    assert.equal(await ntpRequests(port, 5), 5, "chronyd answered the NTP requests");
    await sleep(200);
    await monitor.poll();
    st = monitor.status();
    assert.equal(st.ntp?.received, 5);
    assert.ok(st.ntp?.perSecond !== null && st.ntp!.perSecond! > 0, `rate ${st.ntp?.perSecond}`);
    assert.equal(st.ntp?.clients, 1, "one client (127.0.0.1) served in the last hour");

    await chrony.stop();
    await monitor.poll();
    await monitor.poll();
    st = monitor.status();
    assert.equal(st.reachable, false);
    assert.equal(st.tracking, null, "no stale figures from a chronyd that no longer answers");
    assert.match(st.error ?? "", /chronyd not reachable on .*chronyd\.sock/);
    assert.equal(logLines.filter((l) => l.includes("chrony:")).length, 1, "logged once");
  } finally {
    await chrony.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
