/*
 * The recent-edge list in the PPS status, through the real pipeline,
 * kernel-PPS reader and associator in virtual time: each edge shows the
 * second it marks, or the reason it got none, and the list stays bounded.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStamp } from "../../src/cli/ctl/ppsView.js";
import { RECENT_EDGES } from "../../src/timing/recentEdges.js";
import { plainSeconds, runScenario } from "../support/ppsScenario.js";

const T0 = Date.parse("2026-11-22T10:00:00Z") / 1000;
const isoS = (s: number): string => new Date(s * 1000).toISOString().replace(".000Z", "Z");

test("a locked pulse: the last 20 edges, each labelled with the second its stamp falls on, 300 ms before the words", async () => {
  const r = await runScenario(plainSeconds(T0, 40, 0.3), { hostErrorUs: 2 });
  const edges = r.atEnd.recentEdges;
  assert.equal(edges.length, RECENT_EDGES);
  for (const e of edges) {
    const [sec] = parseStamp(e.at);
    assert.equal(e.outcome, "labelled", JSON.stringify(e));
    // The host clock is 2 µs ahead of true time, so the stamp is 2 µs into the second the edge marks.
    assert.equal(e.label, isoS(sec));
    assert.ok(e.at.endsWith(".000002000Z"), e.at);
    assert.ok(Math.abs(e.delayMs! - 300) < 0.01, `${e.delayMs} ms`);
  }
  const seqs = edges.map((e) => e.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0]! + i),
    "consecutive kernel sequence numbers, oldest first",
  );
});

test("while the delay is learned the first edges say so; a spurious edge is named as such", async () => {
  const secs = plainSeconds(T0, 12, 0.7).map((s, i) => (i === 9 ? { ...s, extraEdgesAt: [s.edgeAt! + 400_000] } : s));
  const r = await runScenario(secs);
  const byOutcome = (o: string) => r.atEnd.recentEdges.filter((e) => e.outcome === o);
  assert.ok(byOutcome("time-refused").length >= 1, "settling epochs refuse their edges");
  assert.equal(byOutcome("learning-delay").length, 3, "three edges while the delay is measured (the fourth completes it)");
  const spurious = byOutcome("spurious-edge");
  assert.equal(spurious.length, 1);
  assert.equal(parseStamp(spurious[0]!.at)[1], 400_000_000, "the extra edge 400 ms into the second");
  assert.match(spurious[0]!.detail!, /off the one-second grid/);
  assert.equal(spurious[0]!.label, null);
});

test("words stop, edges go on: labelled by count, then refused when the holdover runs out", async () => {
  const secs = plainSeconds(T0, 45, 0.3).map((s, i) => (i >= 20 ? { ...s, words: null } : s));
  const r = await runScenario(secs, { holdoverS: 15 });
  const outcomes = r.atEnd.recentEdges.map((e) => e.outcome);
  assert.ok(outcomes.includes("labelled-by-count"), outcomes.join(" "));
  assert.equal(outcomes.at(-2), "holdover-expired", outcomes.join(" "));
  for (const e of r.atEnd.recentEdges.filter((x) => x.outcome === "labelled-by-count")) {
    assert.equal(e.label, isoS(parseStamp(e.at)[0]));
    assert.equal(e.delayMs, null, "no words: no delay to them");
  }
});
