/*
 * Pulses labelled by count (the receiver's words gone, its pulse still
 * there) on the day of a leap second carry the announcement the receiver
 * made earlier that day: chrony must be told on every sample of that day.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_SKY } from "../../sim/receivers/skyState.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";
import { NEO_M8N } from "../../sim/receivers/ubloxModels.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";

test("the receiver's words stop on a leap second's day: the pulses labelled by count still carry the leap flag", async () => {
  const T0 = Date.UTC(2016, 11, 31, 12, 0, 0) / 1000;
  const endOfDay = Date.UTC(2017, 0, 1) / 1000 - 1;
  const sky = { ...DEFAULT_SKY, leapSeconds: 17, leapAnnouncement: { change: 1 as const, atUtcSecond: endOfDay } };
  const box = startVirtualBox({
    startUs: (T0 - 0.3) * 1e6,
    receiver: new SimulatedUblox(NEO_M8N),
    sky,
    settings: { "time.floor": "2016-01-01", "pps.holdover": "60" },
  });
  try {
    await box.clock.runTo((T0 + 60) * 1e6);
    const path = box.cfg["pps.sock"]!;
    const before = box.datagrams.samples(path).filter((x) => x.sec > T0 + 40);
    assert.ok(before.length > 10 && before.every((x) => x.leap === 1), `words: leap ${[...new Set(before.map((x) => x.leap))]}`);
    box.receiver!.mute = true;
    await box.clock.runTo((T0 + 100) * 1e6);
    const counted = box.datagrams.samples(path).filter((x) => x.sec > T0 + 62);
    assert.ok(counted.length >= 30, `${counted.length} pulses labelled by count`);
    assert.ok(box.status().pps!.counts.labelledByCount >= 30);
    assert.deepEqual([...new Set(counted.map((x) => x.leap))], [1], "the day's leap second still announced");
  } finally {
    await box.close();
  }
});
