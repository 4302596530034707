/*
 * The bench's profile summary: a sample's time is the gap to the next one,
 * idle samples are not CPU, frames are grouped by where their code lives,
 * and only the window asked for is counted.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { areaOf, type CpuProfile, formatProfile, summarizeProfile } from "../../bench/cpuProfile.js";
import { unitNodeFlags } from "../../sim/run/daemonProcess.js";

const ROOT = "file:///opt/stratum1/dist/";

function frame(id: number, functionName: string, url: string, children?: number[]): CpuProfile["nodes"][number] {
  return { id, callFrame: { functionName, url, lineNumber: 9 }, ...(children ? { children } : {}) };
}

/** Samples 1 ms apart except where told: idle, GC, cmdmon, prom-client, node's net, cmdmon again, idle; cmdmon called from the poll. */
const PROFILE: CpuProfile = {
  nodes: [
    frame(1, "(root)", "", [2, 3, 7, 5, 6]),
    frame(7, "poll", `${ROOT}src/chrony/chronyMonitor.js`, [4]),
    frame(2, "(idle)", ""),
    frame(3, "(garbage collector)", ""),
    frame(4, "decodeReply", `${ROOT}src/chrony/cmdmon/wire.js`),
    frame(5, "collect", "file:///opt/stratum1/node_modules/prom-client/lib/registry.js"),
    frame(6, "onStreamRead", "node:internal/stream_base_commons"),
  ],
  startTime: 1_000_000,
  endTime: 1_010_000,
  samples: [2, 3, 4, 5, 6, 4, 2],
  timeDeltas: [0, 1000, 1000, 2000, 1000, 1000, 3000],
};

test("areas: our folders, dependencies, node's modules, V8's own", () => {
  assert.equal(areaOf(`${ROOT}src/chrony/cmdmon/wire.js`, "decodeReply", ROOT), "src/chrony");
  assert.equal(areaOf("file:///opt/stratum1/node_modules/prom-client/lib/registry.js", "collect", ROOT), "node_modules/prom-client");
  assert.equal(areaOf("node:internal/stream_base_commons", "onStreamRead", ROOT), "node:internal/stream_base_commons");
  assert.equal(areaOf("node:net", "connect", ROOT), "node:net");
  assert.equal(areaOf("", "(garbage collector)", ROOT), "(garbage collector)");
  assert.equal(areaOf("", "writeSync", ROOT), "(native)");
});

test("summary: each sample costs the gap to the next, idle is left out, the biggest first", () => {
  const s = summarizeProfile(PROFILE, ROOT);
  // GC 1 ms, cmdmon 2 + 3 ms, prom-client 1 ms, node's stream 1 ms; the last sample has no next one.
  assert.equal(s.busyMs, 8);
  assert.deepEqual(s.areas, [
    { area: "src/chrony", ms: 5 },
    { area: "(garbage collector)", ms: 1 },
    { area: "node_modules/prom-client", ms: 1 },
    { area: "node:internal/stream_base_commons", ms: 1 },
  ]);
  assert.deepEqual(s.functions[0], { fn: "decodeReply src/chrony/cmdmon/wire.js:10", ms: 5 });
  assert.match(formatProfile(s), /^ +62\.5 % {2}src\/chrony$/m);
  assert.deepEqual(s.entries, [
    { fn: "poll src/chrony/chronyMonitor.js:10", ms: 5 },
    { fn: "(none of ours)", ms: 3 },
  ]);
});

test("summary: only the window counts", () => {
  // Sample times from the start: 0 idle, 1 GC, 2 cmdmon, 4 prom-client, 5 stream, 6 cmdmon, 9 idle (ms).
  const s = summarizeProfile(PROFILE, ROOT, 2000, 5000);
  assert.equal(s.busyMs, 3, "cmdmon's 2 ms and prom-client's 1");
  assert.deepEqual(
    s.areas.map((a) => a.area),
    ["src/chrony", "node_modules/prom-client"],
  );
  assert.equal(s.windowS, 0.003);
});

test("the daemon's node flags come from the unit's ExecStart; a changed line is an error, not no flags", () => {
  const unit = (exec: string): string => `[Service]\nType=notify\n${exec}\nRestart=always\n`;
  assert.deepEqual(unitNodeFlags(unit("ExecStart=/usr/bin/node /opt/stratum1/dist/src/cli/stratum1d.packed.js")), []);
  assert.deepEqual(unitNodeFlags(unit("ExecStart=/usr/bin/node --max-semi-space-size=1 --max-old-space-size=24 /opt/stratum1/dist/src/cli/stratum1d.packed.js")), [
    "--max-semi-space-size=1",
    "--max-old-space-size=24",
  ]);
  assert.throws(() => unitNodeFlags(unit("ExecStart=/usr/local/bin/node /opt/stratum1/dist/src/cli/stratum1d.packed.js")), /no 'ExecStart=/);
  assert.doesNotThrow(() => unitNodeFlags(), "the repository's own unit has the line");
});
