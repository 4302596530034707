/*
 * Real receivers whose output is unlike a u-blox's, replayed from the shared
 * captures in virtual time into the whole service, every labelled pulse
 * checked against the second its edge marks.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";

test("a Quectel L76K reporting 5 times a second at 115200 baud: its pulses labelled from the whole-second epochs, none wrong", async () => {
  const epochs = splitEpochs(readCapture("quectel-l76k-nmea.log"));
  // The capture's own date (2026-08-04): the gate's floor must let it through.
  const startS = Date.UTC(2026, 7, 4, 6, 0, 0) / 1000;
  const capture = convertEpochs(epochs, { baud: 115200, delayMs: 60, startS, perSecond: 5, epochs: 5 * 30, pulses: "always", phaseNs: () => 900, header: { receiver: "Quectel L76K" } });
  const box = startVirtualBox({ startUs: (startS - 2) * 1e6, settings: { "serial.baud": "115200", "time.floor": "2026-01-01" } });
  const playing = playCapture(capture.records, { clock: box.clock, boxAheadS: 0, backend: new VirtualBackend(box.serial, box.kernel, 115200), onEvent: () => undefined });
  await box.clock.runTo((startS + 32) * 1e6);
  await playing;
  const st = box.status();
  const pps = box.datagrams.samples(box.cfg["pps.sock"]!);
  for (const s of pps) {
    const named = s.sec + Math.round(s.usec / 1e6 + s.offset);
    const stampNs = Math.round((named - s.sec - s.offset) * 1e9);
    assert.equal(stampNs, 900, `the pulse labelled ${named} is the edge of that second`);
  }
  assert.ok(pps.length >= 25, `${pps.length} of 30 pulses labelled`);
  assert.equal(st.pps?.state, "locked");
  assert.ok(st.counts.subSecondEpochs >= 100, `${st.counts.subSecondEpochs} sub-second epochs used for health only`);
  assert.equal(st.rejected.gate["duplicate-second"] ?? 0, 0);
  assert.equal(st.pps?.refused["time-precedes-pulse"] ?? 0, 0);
  await box.close();
});
