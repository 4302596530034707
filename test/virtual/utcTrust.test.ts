/*
 * When the receiver's UTC may be used after a cold start, in virtual time
 * through the whole service: a receiver fresh from a cold start may report
 * a fix with its firmware's default leap-second count for up to 12.5
 * minutes, a UTC second off (satpulse#175). The box holds an NMEA
 * receiver's UTC off (time.utc-holdoff) unless a verified clock agrees,
 * believes a u-blox when it says it vouches (NAV-TIMEUTC), and needs no
 * hold-off when the receiver already had its fix before the service
 * started. Every pulse that reached chrony must be the edge of the second it
 * names.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CaptureEpoch } from "../../sim/replay/captureEpochs.js";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { labelForPosix } from "../../sim/replay/retime.js";
import { coldStartEpoch, navTimeUtcFrame } from "../../sim/replay/receiverStory.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox, type VirtualBox, type VirtualBoxOptions } from "../../sim/virtual/virtualBox.js";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;
const PHASE_NS = 1500;
const fixes = splitEpochs(readCapture("neo-m8n.log"));

/** `cold` seconds without a fix, then fixes; `extra(k)` adds frames to epoch k. */
function story(cold: number, total: number, extra?: (k: number, fix: boolean) => CaptureEpoch["frames"]): CaptureEpoch[] {
  return Array.from({ length: total }, (_, k) => {
    const e = k < cold ? coldStartEpoch(k) : fixes[(k - cold) % fixes.length]!;
    return extra ? { frames: [...e.frames, ...extra(k, k >= cold)] } : e;
  });
}

interface Run {
  box: VirtualBox;
  /** Runs the box to `k` seconds (and a half) after T0. */
  at(k: number): Promise<void>;
  /** The pulses chrony got: the second each names, all checked to be the edge of that second. */
  labelled(): number[];
}

function run(epochs: CaptureEpoch[], opts: Partial<VirtualBoxOptions> & { receiverLagS?: (k: number) => number } = {}): Run {
  const box = startVirtualBox({ startUs: (T0 - 2) * 1e6, ...opts });
  const capture = convertEpochs(epochs, {
    baud: 9600,
    delayMs: 120,
    startS: T0,
    pulses: "fix",
    phaseNs: () => PHASE_NS,
    // The receiver names its second wrongly while its leap-second count is its firmware's default.
    retime: (k) => labelForPosix(T0 + k - (opts.receiverLagS?.(k) ?? 0)),
    header: { receiver: "u-blox NEO-M8N (gpsd's neo-m8n.log), as a cold start" },
  });
  void playCapture(capture.records, { clock: box.clock, boxAheadS: 0, backend: new VirtualBackend(box.serial, box.kernel, 9600), onEvent: () => undefined });
  return {
    box,
    at: (k) => box.clock.runTo((T0 + k) * 1e6 + 500_000),
    labelled: () =>
      box.datagrams.samples(box.cfg["pps.sock"]!).map((s) => {
        const named = s.sec + Math.round(s.usec / 1e6 + s.offset);
        assert.equal(Math.round((named - s.sec - s.offset) * 1e9), PHASE_NS, `the pulse labelled ${new Date(named * 1000).toISOString()} is the edge of that second`);
        return named;
      }),
  };
}

test("NMEA cold start with a verified clock (chrony on a network server): the hold-off ends once the receiver's UTC agrees, never on a wrong second", { timeout: 60_000 }, async () => {
  // For its first two minutes of fix the receiver's UTC is a second behind (a stale default leap-second count).
  const r = run(story(30, 400), { upstream: { address: "192.0.2.123", stratum: 2 }, receiverLagS: (k) => (k < 150 ? 1 : 0) });
  await r.at(100);
  assert.equal(r.box.status().time.state, "utc-holdoff", "the receiver's UTC disagrees with the verified clock: still held off");
  assert.equal(r.labelled().length, 0);
  assert.equal(r.box.status().chrony?.tracking?.refName, "192.0.2.123", "meanwhile chrony serves from its network server");
  await r.at(200);
  assert.equal(r.box.status().time.state, "ok");
  assert.ok(r.box.log.some((l) => /time: UTC hold-off over: a verified clock \(chrony on network servers\) agrees/.test(l)));
  const seconds = r.labelled();
  assert.ok(seconds.length >= 30, `${seconds.length} pulses labelled after the hold-off`);
  assert.ok(seconds[0]! >= T0 + 150, "none from the minutes the receiver was a second behind");
  await r.at(300);
  assert.equal(r.box.status().chrony?.tracking?.refName, "PPS", "chrony moved to the pulse");
  await r.box.close();
});

test("a receiver that already has its fix when the service starts (a service restart) is used without a hold-off", { timeout: 60_000 }, async () => {
  const r = run(story(0, 60));
  await r.at(40);
  assert.equal(r.box.status().time.state, "ok");
  assert.equal(r.box.status().time.utcHoldoffLeftS, null);
  assert.ok(r.labelled().length >= 25, `${r.labelled().length} pulses labelled in 40 s`);
  assert.ok(!r.box.log.some((l) => /hold-off/.test(l)), r.box.log.filter((l) => /hold-off/.test(l)).join("\n"));
  await r.box.close();
});

test("a u-blox is believed when it vouches for its UTC (NAV-TIMEUTC validUTC) and refused while it does not, with no fixed hold-off", { timeout: 60_000 }, async () => {
  // A fix from second 20, UTC vouched for from second 60: the leap-second count arrived 40 s after the fix.
  const r = run(
    story(20, 150, (k, fix) => [navTimeUtcFrame(fix && k >= 60 ? 0b111 : 0b011)]),
    { receiverLagS: (k) => (k < 60 ? 1 : 0) },
  );
  await r.at(50);
  assert.equal(r.box.status().time.state, "utc-unconfirmed");
  assert.match(r.box.status().time.detail ?? "", /does not yet vouch for its UTC/);
  assert.match(r.box.screen(), /NOT SYNCED +\| UTC unconfirmed/);
  assert.equal(r.labelled().length, 0);
  await r.at(120);
  assert.equal(r.box.status().time.state, "ok");
  assert.equal(r.box.status().time.utcHoldoffLeftS, null, "no hold-off for a receiver that can say");
  const seconds = r.labelled();
  assert.ok(seconds.length >= 40 && seconds[0]! >= T0 + 60, `${seconds.length} labelled, from ${seconds[0]! - T0} s`);
  await r.box.close();
});
