/*
 * The pulse must never carry a wrong second. Each scenario runs the real
 * pipeline, kernel-PPS reader and associator in virtual time and checks every
 * labelled pulse against the second its edge truly marks.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { civil, plainSeconds, runScenario, type Said, type ScenarioSecond } from "../support/ppsScenario.js";

const T0 = Date.parse("2026-11-22T10:00:00Z") / 1000;

const noWrongSecond = (r: Awaited<ReturnType<typeof runScenario>>) => assert.deepEqual(r.wrong, [], "no pulse labelled with a wrong second");

for (const delayMs of [50, 500, 950]) {
  test(`RMC ${delayMs} ms after the edge: learned, every pulse labelled with its own second, to the nanosecond`, async () => {
    const r = await runScenario(plainSeconds(T0, 40, delayMs / 1000), { hostErrorUs: 137 });
    noWrongSecond(r);
    // 3 epochs settle the time core, 4 learn the delay; after that every second is labelled.
    assert.ok(r.samples.length >= 40 - 3 - 4 - 1, `${r.samples.length} labelled`);
    for (const s of r.samples) assert.equal(s.reference.sec - s.local.sec + (s.reference.nsec - s.local.nsec) / 1e9, -137e-6);
    assert.ok(Math.abs(r.atEnd.delayMs! - delayMs) < 1, `learned ${r.atEnd.delayMs} ms`);
    assert.equal(r.atEnd.state, "locked");
    assert.deepEqual(r.states.slice(0, 3), ["no-pulse", "pulse-without-time", "locked"]);
  });
}

test("NMEA samples carry the moment of the pulse once the delay is learned (no hand-set offset)", async () => {
  const r = await runScenario(plainSeconds(T0, 30, 0.42));
  const late = r.nmeaSamples.slice(-10);
  for (const s of late) {
    const offsetMs = (s.reference.sec - s.local.sec) * 1000 + (s.reference.nsec - s.local.nsec) / 1e6;
    assert.ok(Math.abs(offsetMs) < 1, `NMEA offset ${offsetMs} ms after learning (420 ms before)`);
  }
  const first = r.nmeaSamples[0]!;
  assert.ok(Math.abs((first.reference.sec - first.local.sec) * 1000 + (first.reference.nsec - first.local.nsec) / 1e6 + 420) < 1, "uncorrected before the pulse is locked");
});

test("the first epochs read late (a host busy at start): the delay is learned from the fastest, so the NMEA samples carry the pulse's moment from the first locked second", async () => {
  // A read held up by a busy host is only ever late: seen in CI, a first epoch 450 ms after its pulse against 200 ms for the rest.
  const secs = plainSeconds(T0, 30, 0.2).map((s, i) => ((i === 0 || i === 2) && s.words ? { ...s, words: { ...s.words, atUs: s.words.atUs + 250_000 } } : s));
  const r = await runScenario(secs);
  noWrongSecond(r);
  assert.equal(r.atEnd.state, "locked");
  const offsetsMs = r.nmeaSamples.map((s) => (s.reference.sec - s.local.sec) * 1000 + (s.reference.nsec - s.local.nsec) / 1e6);
  const corrected = offsetsMs.filter((o) => Math.abs(o + 200) > 1 && Math.abs(o + 450) > 1);
  assert.ok(corrected.length >= 15, `corrected NMEA samples: ${corrected.length} of ${offsetsMs.length}`);
  for (const o of corrected) assert.ok(Math.abs(o) < 1, `NMEA offset ${o.toFixed(1)} ms once locked: ${offsetsMs.map((x) => x.toFixed(0)).join(" ")}`);
});

test("a delay near 0 or 1 s is refused as ambiguous, and nothing is labelled", async () => {
  for (const d of [0.005, 0.993]) {
    const r = await runScenario(plainSeconds(T0, 20, d));
    assert.equal(r.samples.length, 0);
    assert.ok((r.atEnd.refused["ambiguous-delay"] ?? 0) > 0);
    assert.equal(r.atEnd.state, "pulse-without-time");
    assert.match(r.atEnd.detail, /^ambiguous-delay: .*too close to a pulse/);
  }
});

/** A deterministic stream of numbers in [0, 1) (a linear congruential generator), so a jittered scenario is the same every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

for (const edge of ["after", "before"] as const) {
  test(`words anywhere from 50 to 950 ms ${edge} the edge, different every second: every pulse labelled once settled, none wrong`, async () => {
    const r01 = random(edge === "after" ? 7 : 11);
    // A receiver whose words precede the edge says the time of the edge that follows them.
    const secs = plainSeconds(T0, 60, 0).map((s) => ({ ...s, words: s.words && { ...s.words, atUs: s.edgeAt! + (edge === "after" ? 1 : -1) * (0.05 + 0.9 * r01()) * 1e6 } }));
    const r = await runScenario(secs, { edge });
    noWrongSecond(r);
    // The first epochs settle the pairing (3) and the gate's reference; every later pulse is labelled.
    assert.ok(r.samples.length >= 60 - 5, `${r.samples.length} of 60 labelled`);
    assert.equal(r.atEnd.state, "locked");
    assert.ok(r.atEnd.delayJitterMs! > 100, `the jitter is measured (${r.atEnd.delayJitterMs} ms) and decides nothing`);
    assert.equal(r.atEnd.refused.contradiction ?? 0, 0);
  });
}

test("words within 40 ms of an edge cannot say which second they follow: those are refused as ambiguous, the rest labelled", async () => {
  const secs = plainSeconds(T0, 40, 0.3).map((s, i) => (i % 5 === 4 && s.words ? { ...s, words: { ...s.words, atUs: s.edgeAt! + (i % 10 === 4 ? 15_000 : 985_000) } } : s));
  const r = await runScenario(secs);
  noWrongSecond(r);
  assert.ok((r.atEnd.refused["ambiguous-delay"] ?? 0) >= 6, JSON.stringify(r.atEnd.refused));
  assert.ok(r.samples.length >= 20, `${r.samples.length} labelled`);
});

test("one epoch read 1.1 s late (a held-up host): a contradiction, refused; no edge is labelled wrong, and labelling resumes", async () => {
  const secs = plainSeconds(T0, 40, 0.45).map((s, i) => (i === 20 && s.words ? { ...s, words: { ...s.words, atUs: s.words.atUs + 1_100_000 } } : s));
  const r = await runScenario(secs);
  noWrongSecond(r);
  assert.ok((r.atEnd.refused.contradiction ?? 0) >= 1, JSON.stringify(r.atEnd.refused));
  const labelled = new Set(r.samples.map((s) => s.utcSecond));
  assert.ok(labelled.has(T0 + 30) && labelled.has(T0 + 38), "labels resume after the contradiction");
  assert.equal(r.atEnd.state, "locked");
});

test("a receiver reporting 5 times a second: pulses labelled from its whole-second epochs, the others counted for health only", async () => {
  const secs = plainSeconds(T0, 40, 0.12).map((s) => ({
    ...s,
    extraWords: [1, 2, 3, 4].map((k) => ({ atUs: s.edgeAt! + 120_000 + k * 200_000, said: { ...s.words!.said, cs: k * 20 } })),
  }));
  const r = await runScenario(secs);
  noWrongSecond(r);
  assert.ok(r.samples.length >= 33, `${r.samples.length} labelled`);
  assert.equal(r.atEnd.state, "locked");
  assert.ok(r.health.counts.subSecondEpochs >= 150, `${r.health.counts.subSecondEpochs} sub-second epochs`);
  assert.equal(r.health.gate["duplicate-second"] ?? 0, 0);
  assert.equal(r.atEnd.refused["time-precedes-pulse"] ?? 0, 0);
});

test("a receiver whose time precedes its edge, pps.edge=auto: assumed to follow it without a clock to check against, stopped at once by a verified clock with the fix named; pps.edge=before labels it right", async () => {
  // The words for second U arrive 300 ms before U's edge.
  const secs = plainSeconds(T0, 30, -0.3);
  const unchecked = await runScenario(secs);
  assert.deepEqual(unchecked.snapshot.pps?.edge, { direction: "after", basis: "assumed" }, "said to be assumed, not verified");
  const checked = await runScenario(secs, { upstream: true });
  assert.equal(checked.samples.length, 0, "not one label once a verified clock can contradict it");
  assert.equal(checked.snapshot.pps?.edge.basis, "contradicted");
  assert.match(checked.atEnd.detail, /set pps\.edge=before/);
  const alarm = checked.snapshot.alarms.find((a) => a.id === "pps-edge");
  assert.equal(alarm?.hint, "set pps.edge", "the panel says what to change");
  assert.ok(
    checked.logLines.some((l) => /^<3>pps: a verified clock .* names the pulse after its words\. Labelling stopped; set pps\.edge=before/.test(l)),
    checked.logLines.filter((l) => /pps:/.test(l)).join("\n"),
  );
  const told = await runScenario(secs, { edge: "before" });
  noWrongSecond(told);
  assert.ok(told.samples.length >= 20, `${told.samples.length} labelled`);
  assert.equal(told.atEnd.state, "locked");
  assert.deepEqual(told.snapshot.pps?.edge, { direction: "before", basis: "configured" });
});

test("pps.edge=auto: a direction verified against a verified clock is remembered for the receiver, and used as such after a restart without one", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "stratum1-state-"));
  try {
    const secs = plainSeconds(T0, 30, 0.3);
    const first = await runScenario(secs, { upstream: true, stateDir });
    noWrongSecond(first);
    assert.equal(first.snapshot.pps?.edge.basis, "verified");
    const stored = JSON.parse(readFileSync(join(stateDir, "pps-edge.json"), "utf8")) as { receivers: Record<string, { edge: string }> };
    assert.deepEqual(
      Object.values(stored.receivers).map((r) => r.edge),
      ["after"],
    );
    const again = await runScenario(secs, { stateDir });
    noWrongSecond(again);
    assert.equal(again.snapshot.pps?.edge.basis, "remembered");
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test("edges stop for 20 s then return: holdover named, no label without an edge, labels resume", async () => {
  const secs = plainSeconds(T0, 60, 0.3).map((s, i) => (i >= 20 && i < 40 ? { ...s, edgeAt: null } : s));
  const r = await runScenario(secs);
  noWrongSecond(r);
  assert.ok(r.states.includes("holdover"), `states ${r.states.join(" > ")}`);
  assert.equal(r.atEnd.state, "locked");
  const labelled = new Set(r.samples.map((s) => s.utcSecond));
  for (let i = 20; i < 40; i++) assert.ok(!labelled.has(T0 + i), "no sample while the pulse is gone");
  assert.ok(labelled.has(T0 + 45), "labels resume when edges return");
  assert.ok((r.atEnd.refused["no-edge"] ?? 0) >= 20);
});

test("NMEA stops while edges continue: pulses labelled by count for pps.holdover seconds, then refused", async () => {
  const secs = plainSeconds(T0, 60, 0.3).map((s, i) => (i >= 20 ? { ...s, words: null } : s));
  const r = await runScenario(secs, { holdoverS: 15 });
  noWrongSecond(r);
  const st = r.atEnd;
  assert.ok(st.counts.labelledByCount >= 13 && st.counts.labelledByCount <= 15, `${st.counts.labelledByCount} labelled by count`);
  assert.ok((st.refused["holdover-expired"] ?? 0) > 0);
  assert.ok(r.states.includes("holdover"));
  assert.equal(st.state, "holdover");
});

test("holdover never counts across a UTC midnight (a leap second may sit there)", async () => {
  const start = Date.parse("2026-12-31T23:59:30Z") / 1000;
  const secs = plainSeconds(start, 45, 0.3).map((s, i) => (i >= 22 ? { ...s, words: null } : s));
  const r = await runScenario(secs);
  noWrongSecond(r);
  const labels = r.samples.map((s) => s.utcSecond);
  assert.equal(Math.max(...labels), start + 29, "counted up to 23:59:59 and no further");
  assert.ok((r.atEnd.refused["holdover-midnight"] ?? 0) > 0);
});

test("a spurious extra edge mid-second is refused and labels nothing", async () => {
  const secs = plainSeconds(T0, 40, 0.7).map((s, i) => (i === 25 || i === 30 ? { ...s, extraEdgesAt: [s.edgeAt! + 400_000] } : s));
  const r = await runScenario(secs);
  noWrongSecond(r);
  assert.equal(r.atEnd.counts.spuriousEdges, 2);
  assert.ok(r.samples.length >= 30);
});

test("date rollover at midnight and at the new year: labels follow the receiver's date", async () => {
  const start = Date.parse("2026-12-31T23:59:40Z") / 1000;
  const r = await runScenario(plainSeconds(start, 40, 0.25));
  noWrongSecond(r);
  const labels = new Set(r.samples.map((s) => s.utcSecond));
  for (const t of ["2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z", "2027-01-01T00:00:01Z"]) assert.ok(labels.has(Date.parse(t) / 1000), `${t} labelled`);
});

const LEAP_START = Date.parse("2026-12-31T23:59:30Z") / 1000;

/** Around an inserted leap second: the receiver says 23:59:60 for the 31st second. */
function leapSeconds(): ScenarioSecond[] {
  const start = LEAP_START;
  const out: ScenarioSecond[] = [];
  for (let i = 0; i < 60; i++) {
    const elapsed = start + i; // seconds of real time since the start, in pre-leap POSIX terms
    const leapIndex = 30; // 23:59:60
    let truth: number | null;
    let said: Said;
    if (i < leapIndex) [truth, said] = [elapsed, civil(elapsed)];
    else if (i === leapIndex) [truth, said] = [null, { ...civil(elapsed - 1), s: 60 }];
    else [truth, said] = [elapsed - 1, civil(elapsed - 1)];
    // +1 µs on the leap second's edge: a host that replays 23:59:59 must not stamp two edges to the same nanosecond, so the check can tell them apart.
    const edgeAt = elapsed * 1e6 + (i === leapIndex ? 1 : 0);
    out.push({ truth, edgeAt, words: { atUs: edgeAt + 300_000, said } });
  }
  return out;
}

test("an inserted leap second (23:59:60): never labelled, and the seconds around it are right", async () => {
  // A host that applies the leap (the kernel steps back 1 s at 23:59:60) and, told which edge the time names, one that does not.
  for (const [hostLeaps, edge] of [
    [true, "auto"],
    [false, "after"],
  ] as const) {
    const r = await runScenario(leapSeconds(), { edge, ...(hostLeaps ? { hostStep: { atUs: (LEAP_START + 30) * 1e6, byUs: -1e6 } } : {}) });
    noWrongSecond(r);
    const labels = new Set(r.samples.map((s) => s.utcSecond));
    assert.ok(labels.has(Date.parse("2026-12-31T23:59:59Z") / 1000), "23:59:59 labelled");
    assert.ok(labels.has(Date.parse("2027-01-01T00:00:05Z") / 1000), `labels resume after the leap (host leaps: ${hostLeaps})`);
  }
});

test("the receiver disowns its time (fix lost) and then falls silent: no pulse is labelled by count", async () => {
  for (const edge of ["after", "before"] as const) {
    const secs = plainSeconds(T0, 50, edge === "after" ? 0.3 : -0.3).map((s, i) =>
      i >= 20 && i < 23 && s.words ? { ...s, words: { ...s.words, valid: false } } : i >= 23 ? { ...s, words: null } : s,
    );
    const r = await runScenario(secs, { edge });
    noWrongSecond(r);
    assert.ok(r.atEnd.counts.labelled >= 10, `${edge}: ${r.atEnd.counts.labelled} labelled before the fix was lost`);
    assert.equal(r.atEnd.counts.labelledByCount, 0, `${edge}: pulses counted after the receiver called its time invalid`);
    assert.equal(r.atEnd.state, "holdover");
  }
});

test("pps.edge=auto: once the host clock has confirmed the receiver follows its pulse, a host clock stepped a second off does not stop the labels", async () => {
  // The host's clock steps 1 s ahead after 20 s (a manual date, no network to correct it): the receiver has not changed sides.
  const r = await runScenario(plainSeconds(T0, 50, 0.3), { hostStep: { atUs: (T0 + 20.5) * 1e6, byUs: 1e6 } });
  noWrongSecond(r);
  assert.equal(r.atEnd.refused["time-precedes-pulse"] ?? 0, 0);
  assert.equal(r.atEnd.state, "locked");
  assert.ok(
    r.samples.some((s) => s.utcSecond > T0 + 30),
    "labelled after the step",
  );
  assert.equal(r.health.counts.clockSteps, 1);
});
