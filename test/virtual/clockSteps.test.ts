/*
 * The system clock stepped under the running service (chrony's makestep at
 * boot, `chronyc makestep`, an operator's `date -s`), in virtual time: the
 * host's CLOCK_REALTIME jumps 3 s forward, later 2 s back, while the
 * receiver and its pulse go on. The service says so, pairs pulses and words
 * afresh, sends nothing stamped across a step, keeps its status ticking
 * (a tick that waited for the old clock's next second would stop the
 * watchdog's ping), and every pulse that reached chrony carries its own
 * second.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { type Instant, instantFromUs, instantToUs } from "../../src/hal/instant.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;
const PHASE_NS = 1500;
/** The host clock's error from true time, µs, from each true moment on: stepped +3 s, then −2 s. */
const STEPS = [
  { fromS: T0 - 10, offsetUs: 0 },
  { fromS: T0 + 60.5, offsetUs: 3e6 },
  { fromS: T0 + 120.5, offsetUs: 1e6 },
];

test("the system clock stepped +3 s then −2 s: said, re-paired, the status ticking on, and no pulse with a wrong second", { timeout: 60_000 }, async () => {
  const box = startVirtualBox({ startUs: (T0 - 2) * 1e6, settings: { "time.utc-holdoff": "0" } });
  const epochs = splitEpochs(readCapture("neo-m8n.log"));
  const capture = convertEpochs(epochs, { baud: 9600, delayMs: 120, startS: T0, epochs: 200, pulses: "fix", phaseNs: () => PHASE_NS, header: { receiver: "u-blox NEO-M8N" } });
  // The receiver lives by true time; the kernel stamps its pulses by the host's clock, stepped or not.
  const backend = new VirtualBackend(box.serial, box.kernel, 9600);
  const kernelStamps = Object.assign(Object.create(backend) as VirtualBackend, {
    assert: (a: Instant) => box.kernel!.assert(instantFromUs(instantToUs(a) + box.clock.hostOffsetUs)),
  });
  void playCapture(capture.records, { clock: box.clock.trueClock(), boxAheadS: 0, backend: kernelStamps, onEvent: () => undefined });
  const at = (k: number): Promise<void> => box.clock.runTo((T0 + k) * 1e6);
  // When each sample was sent, in true time (its own stamps are the host's).
  const sentTrueUs = new WeakMap<object, number>();
  box.datagrams.listeners.push((_path, s) => sentTrueUs.set(s, box.clock.nowUs));
  const ticks: string[] = [];

  await at(55);
  assert.equal(box.status().pps?.state, "locked");
  for (const step of STEPS.slice(1)) {
    await box.clock.runTo(step.fromS * 1e6);
    box.clock.hostOffsetUs = step.offsetUs;
    const stepAt = box.clock.nowUs;
    for (let k = 1; k <= 5; k++) {
      await box.clock.runTo(stepAt + k * 1e6);
      ticks.push(box.status().updatedAt);
    }
  }
  await at(199);
  assert.equal(new Set(ticks).size, ticks.length, `a new status every second after each step: ${ticks.join(" ")}`);
  assert.equal(box.status().counts.clockSteps, 2);
  const said = box.log.filter((l) => /clock: the system clock was stepped/.test(l));
  assert.equal(said.length, 2, said.join("\n"));
  assert.match(said[0]!, /stepped by \+3\.000 s/);
  assert.match(said[1]!, /stepped by -2\.000 s/);
  assert.equal(box.status().pps?.state, "locked", "locked again");

  const offsetAt = (trueS: number): number => [...STEPS].reverse().find((s) => trueS >= s.fromS)!.offsetUs;
  const samples = box.datagrams.samples(box.cfg["pps.sock"]!);
  let afterSecond = 0;
  for (const s of samples) {
    const stampUs = s.sec * 1e6 + s.usec;
    // Around a step back the same stamp is read twice, a few seconds apart: the edge is the one that fits its
    // own stretch of time (the host's offset then) and was stamped in the second and a half before it was sent.
    const sentS = sentTrueUs.get(s)! / 1e6;
    const truths = STEPS.map((st) => (stampUs - st.offsetUs) / 1e6).filter((t) => offsetAt(t) === Math.round(stampUs - t * 1e6) && sentS - t >= 0 && sentS - t < 1.5);
    assert.equal(truths.length, 1, `stamp ${stampUs} sent at true ${sentS} is one edge`);
    const trueEdge = truths[0]!;
    const named = s.sec + Math.round(s.usec / 1e6 + s.offset);
    assert.equal(named, Math.round(trueEdge), `the pulse at true ${trueEdge} labelled ${named}`);
    // Sent after a step means stamped after it: nothing crosses.
    for (const st of STEPS.slice(1)) if (sentS >= st.fromS) assert.ok(trueEdge >= st.fromS, `a pulse of true ${trueEdge} sent after the step at ${st.fromS}`);
    if (trueEdge > T0 + 120.5) afterSecond += 1;
  }
  assert.ok(samples.length > 170, `${samples.length} pulses reached chrony`);
  assert.ok(afterSecond >= 70, `${afterSecond} labelled after the second step`);
  await box.close();
});
