import assert from "node:assert/strict";
import { test } from "node:test";
import { HostMonitor } from "../../src/host/hostMonitor.js";
import { fixedHostProbe } from "../../sim/fakes/fixedHostProbe.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

test("the host's uptime moves every second on the panel, yet the host is asked for it only every 30 s", async () => {
  const clock = new VirtualClock(Date.parse("2027-01-01T00:00:00Z") * 1000);
  const probe = fixedHostProbe(clock);
  let reads = 0;
  const counted = {
    ...probe,
    uptimeS: () => {
      reads += 1;
      return probe.uptimeS();
    },
  };
  const host = new HostMonitor(clock, counted);
  host.start();
  const seen: number[] = [];
  for (let s = 0; s < 95; s++) {
    seen.push(host.status().uptimeS!);
    await clock.runFor(1000);
  }
  host.stop();
  // What the host itself says, second by second: 600 s at start.
  assert.deepEqual(
    seen,
    seen.map((_, s) => 600 + s),
  );
  assert.equal(reads, 4, "read at start and at 30, 60 and 90 s");
});
