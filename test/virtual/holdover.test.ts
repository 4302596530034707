/*
 * Holdover through the whole service in virtual time: the receiver stops
 * (fix and pulse gone), chrony serves on from the Pi's clock, and the box
 * says for how long, within what bound, and for how much longer; when
 * holdover.trust has passed chrony declares itself unsynchronised and the
 * panel says why; the receiver back, it locks again. Just after a boot
 * chrony has not armed its limit yet, and the status says that too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { withoutFix } from "../../sim/replay/receiverStory.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox, type VirtualBox } from "../../sim/virtual/virtualBox.js";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;
const fixes = splitEpochs(readCapture("neo-m8n.log"));

/** A receiver with a fix and its pulse, except in [lostFrom, lostTo) where it has neither. */
function start(lostFrom: number, lostTo: number, total: number): { box: VirtualBox; at: (k: number) => Promise<void> } {
  // holdover.trust 600 s: chrony counts it as 2^9 = 512 s.
  const box = startVirtualBox({ startUs: (T0 - 2) * 1e6, settings: { "holdover.trust": "600", "time.utc-holdoff": "0", "lcd.pages": "sync" } });
  const lost = (k: number): boolean => k >= lostFrom && k < lostTo;
  const epochs = Array.from({ length: total }, (_, k) => (lost(k) ? withoutFix(fixes[k % fixes.length]!) : fixes[k % fixes.length]!));
  const capture = convertEpochs(epochs, { baud: 9600, delayMs: 120, startS: T0, pulses: "fix", phaseNs: () => 1500, header: { receiver: "u-blox NEO-M8N (gpsd's neo-m8n.log)" } });
  void playCapture(capture.records, { clock: box.clock, boxAheadS: 0, backend: new VirtualBackend(box.serial, box.kernel, 9600), onEvent: () => undefined });
  return { box, at: (k) => box.clock.runTo((T0 + k) * 1e6 + 500_000) };
}

test("holdover after 20 minutes of lock: its age, bound and time left shown; chrony gives up after holdover.trust and says so; the receiver back, locked again", { timeout: 60_000 }, async () => {
  const { box, at } = start(1200, 1900, 2000);
  await at(1190);
  assert.equal(box.status().summary.label, "locked-pps");
  assert.equal(box.status().holdover.active, false);

  await at(1260);
  const h = box.status().holdover;
  assert.equal(h.active, true, JSON.stringify(h));
  assert.ok(h.ageS! >= 58 && h.ageS! <= 62, `${h.ageS} s of holdover`);
  assert.equal(h.limitS, 512);
  assert.equal(h.armed, true, "20 minutes of lock arm a 512 s limit");
  assert.ok(h.leftS! >= 450 && h.leftS! <= 454, `${h.leftS} s left`);
  // 5 ppm (maxclockerror) for a minute: about 300 µs.
  assert.ok(h.boundS! > 250e-6 && h.boundS! < 400e-6, `bound ${h.boundS}`);
  assert.equal(box.status().summary.text, "HOLDOVER 1m");
  assert.equal(box.status().chrony?.tracking?.leap, "normal", "chrony still serves");
  const noFix = box.status().alarms.find((a) => a.id === "no-fix");
  assert.ok(
    noFix,
    box
      .status()
      .alarms.map((a) => a.id)
      .join(","),
  );
  assert.match(noFix.hint, /^hold 1m <[23]\d\dµs$/);
  assert.match(noFix.detail, /chrony holds over on the Pi's clock since .*, serving within ±[23]\d\dµs, for 45\d s more \(holdover\.trust\)/);
  assert.match(box.screen(), /NO FIX .*\| hold 1m <[23]\d\dµs/);

  await at(1800);
  assert.equal(box.status().chrony?.tracking?.leap, "unsynchronised", "past 512 s chrony stops claiming time");
  assert.equal(box.status().holdover.active, false);
  assert.ok(box.status().holdover.expiredAt, "the end of the holdover is remembered");
  const notSynced = box.status().alarms.find((a) => a.id === "chrony-unsynchronised");
  assert.equal(notSynced?.hint, "holdover ended");
  assert.match(notSynced?.detail ?? "", /held over on the Pi's clock for holdover\.trust \(512 s\)/);
  assert.equal(box.status().summary.state, "degraded");

  await at(1990);
  assert.equal(box.status().summary.label, "locked-pps", "the receiver back: locked again");
  assert.equal(box.status().holdover.expiredAt, null);
  await box.close();
});

test("holdover 5 minutes after a boot: chrony has not armed its limit, serves on, and the status says there is no end to it", { timeout: 60_000 }, async () => {
  const { box, at } = start(300, 1300, 1400);
  await at(400);
  const h = box.status().holdover;
  assert.equal(h.active, true);
  assert.equal(h.armed, false, "5 minutes of lock do not arm a 512 s limit (chrony needs 1024 s)");
  assert.equal(h.leftS, null);
  await at(1000);
  assert.equal(box.status().chrony?.tracking?.leap, "normal", "still serving after 700 s");
  assert.equal(box.status().summary.text, "HOLDOVER 11m");
  // 700 s at 5 ppm: 3.5 ms.
  assert.match(box.status().alarms.find((a) => a.id === "no-fix")?.hint ?? "", /^hold 11m <3\.\dms$/);
  await box.close();
});
