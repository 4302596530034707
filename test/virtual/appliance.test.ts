/*
 * One hour of the real service in virtual time: startService with the fakes
 * as its hardware, fed a real receiver's capture (u-blox NEO-M8N, NMEA only)
 * laid out as a story: a cold start, the UTC hold-off that follows it (an
 * NMEA receiver cannot say when it has the leap-second count; no network
 * servers here to check it against), a fix with its pulse, the fix lost, the
 * pulse wire pulled, the receiver unplugged and plugged back. At chosen moments
 * the status, the alarms and the LCD are what an operator should see, and
 * every pulse that reached chrony carries its own second.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Capture } from "../../src/capture/captureFormat.js";
import { storyCapture, type StoryStep } from "../support/storyCapture.js";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";

export const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;

/** What the receiver does in each part of the hour, by second from the start. */
const STORY: readonly StoryStep[] = [
  { from: 0, to: 60, part: "cold" },
  { from: 60, to: 1800, part: "fix" },
  { from: 1800, to: 1900, part: "lost" },
  { from: 1900, to: 2500, part: "fix" },
  { from: 2500, to: 2600, part: "no-pulse" },
  { from: 2600, to: 3000, part: "fix" },
  { from: 3000, to: 3060, part: "unplugged" },
  { from: 3060, to: 3600, part: "fix" },
];

export function hourCapture(): Capture {
  return storyCapture(STORY, { startS: T0 });
}

test("an hour of the service in virtual time: status, alarms and the LCD at each turn of the story; no pulse with a wrong second", { timeout: 120_000 }, async () => {
  const box = startVirtualBox({ startUs: (T0 - 2) * 1e6, settings: { "lcd.pages": "sync", "lcd.page": "5" } });
  const capture = hourCapture();
  const backend = new VirtualBackend(box.serial, box.kernel, 9600);
  const playing = playCapture(capture.records, { clock: box.clock, boxAheadS: 0, backend, onEvent: () => undefined });
  const at = (k: number): Promise<void> => box.clock.runTo((T0 + k) * 1e6 + 500_000);
  const alarms = (): string[] => box.status().alarms.map((a) => a.id);
  const screens: string[] = [];
  const look = (): string => {
    const s = box.screen();
    screens.push(s);
    return s;
  };

  await at(30);
  assert.deepEqual(alarms(), ["no-fix", "chrony-unsynchronised"], "cold start: the receiver talks, without a fix (and so without a pulse, which is no alarm of its own); chrony has nothing");
  assert.match(look(), /NO FIX|NOT SYNCED/);
  assert.equal(box.status().pps?.state, "no-pulse");
  assert.equal(box.status().summary.state, "degraded");

  await at(200);
  assert.equal(box.status().time.state, "utc-holdoff", "a fix, but an NMEA receiver's UTC is held off after its cold start");
  assert.ok(box.status().time.utcHoldoffLeftS! > 550 && box.status().time.utcHoldoffLeftS! < 700, `${box.status().time.utcHoldoffLeftS} s left`);
  assert.equal(box.status().pps?.counts.labelled, 0, "not one pulse labelled meanwhile");
  assert.deepEqual(alarms(), ["chrony-unsynchronised"]);
  assert.match(look(), /NOT SYNCED +\| UTC wait \d+s/);
  assert.equal(box.status().summary.text.startsWith("UTC WAIT"), true);

  await at(900);
  assert.deepEqual(alarms(), [], "locked: no alarm");
  assert.equal(box.status().time.state, "ok");
  assert.equal(box.status().pps?.state, "locked");
  assert.ok(box.status().pps!.delayMs! > 120 && box.status().pps!.delayMs! < 200, `learned delay ${box.status().pps?.delayMs} ms`);
  assert.equal(box.status().chrony?.tracking?.refName, "PPS");
  assert.match(look(), /^LOCKED PPS +S1 \| offset/);
  assert.equal(box.status().summary.state, "serving");

  await at(1830);
  assert.ok(alarms().includes("no-fix"), `fix lost: ${alarms().join(",")}`);
  assert.equal(box.status().pps?.state, "holdover");
  assert.match(look(), /NO FIX/);
  const blink: boolean[] = [];
  for (let k = 1831; k <= 1834; k++) {
    await at(k);
    blink.push(box.lcd!.backlight);
  }
  assert.deepEqual(blink, [false, true, false, true], "the backlight blinks while an alarm is up: on in even seconds");

  await at(2200);
  assert.deepEqual(alarms(), [], "fix back: alarms cleared");
  assert.equal(box.status().pps?.state, "locked");

  await at(2550);
  assert.equal(box.status().pps?.state, "holdover", "pulse wire pulled: no edge, the words go on");
  assert.match(box.status().pps!.detail, /pulse lost/);
  assert.deepEqual(alarms(), ["no-pps"]);
  // chrony holds over on the Pi's clock meanwhile: the alarm says for how long and within what bound.
  assert.match(look(), /NO PPS +\| hold 0m <\d+µs/);
  assert.equal(box.status().summary.text, "HOLDOVER 0m");
  assert.match(box.status().alarms[0]!.detail, /PPS wire on the configured pin.*chrony holds over on the Pi's clock since/);

  await at(3030);
  assert.deepEqual(alarms(), ["no-gps-data"], "receiver unplugged");
  assert.equal(box.status().device.state, "missing");
  assert.match(look(), /NO GPS DATA/);

  await at(3590);
  assert.deepEqual(alarms(), [], "plugged back: recovered");
  assert.equal(box.status().pps?.state, "locked");
  assert.match(look(), /^LOCKED PPS/);
  await at(3602);
  await playing;

  const truths = new Map(capture.records.flatMap((r) => (r.kind === "assert" ? [[`${r.at.sec}.${r.at.nsec}`, r.truth ?? r.at.sec] as const] : [])));
  const pps = box.datagrams.samples(box.cfg["pps.sock"]!);
  // 3600 s less the cold start and its hold-off (~810 s), the fix lost (100 s), the wire pulled (100 s), unplugged (60 s).
  assert.ok(pps.length > 2400, `${pps.length} pulses reached chrony`);
  for (const s of pps) {
    // chrony reads tv + offset as the second named; that second minus the offset is the kernel's stamp, to the nanosecond.
    const named = s.sec + Math.round(s.usec / 1e6 + s.offset);
    const stampNs = Math.round((named - s.sec - s.offset) * 1e9);
    assert.equal(truths.get(`${s.sec}.${stampNs}`), named, `pulse stamped ${s.sec}.${stampNs} labelled ${named}`);
  }
  assert.deepEqual(box.lcd?.busyViolations, [], "the LCD driver never wrote to a busy controller");
  await box.close();
});
