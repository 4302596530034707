#!/usr/bin/env node
/*
 * The box's receiver for the fleet test, in a process of its own so that
 * the harness's polling never delays a sentence: a real capture replayed
 * through the pty's feed end, rewritten to the current seconds, and a fake
 * kernel PPS edge at every second. SIGTERM is the receiver lost (antenna
 * cut, receiver dead): sentences and pulses stop at once.
 *   node dist/test/fleet/receiverFeed.js FEED PPS-DIR
 */
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { startPulses } from "../../sim/replay/pulseGenerator.js";
import { replay } from "../../sim/replay/replayer.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";

const [feed, ppsDir] = process.argv.slice(2);
if (!feed || !ppsDir) {
  process.stderr.write("usage: receiverFeed FEED PPS-DIR\n");
  process.exit(64);
}
const clock = systemClock();
const abort = new AbortController();
const pulses = startPulses({ clock, kernel: new FakeKernelPps(ppsDir), phaseNs: () => 1500 });
process.on("SIGTERM", () => {
  abort.abort();
  pulses.stop();
  process.exit(0);
});
const startSecond = Math.ceil(clock.realtimeUs() / 1e6) + 1;
await replay(splitEpochs(readCapture("neo-m8n.log")), { feedPath: feed, baud: 9600, delayMs: 120, startSecond, rewrite: true, epochs: Number.MAX_SAFE_INTEGER, clock }, abort.signal);
