/*
 * The field workflow end to end: a box serves a receiver (real stratum1d,
 * real chronyd, NMEA through a pty, fake kernel PPS edges); an operator runs
 * `stratum1ctl capture` beside it; the recording holds exactly the bytes and
 * kernel stamps the service saw; then that recording is replayed into a
 * fresh box and judged, as it would be on a laptop.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { readCaptureFile } from "../../src/capture/captureFile.js";
import { startPulses } from "../../sim/replay/pulseGenerator.js";
import { replay } from "../../sim/replay/replayer.js";
import { startRig } from "../support/rig.js";
import { judgeScenario } from "./judge.js";
import { bareScenario } from "./scenario.js";

const CTL = fileURLToPath(new URL("../../src/cli/stratum1ctl.js", import.meta.url));

test("stratum1ctl capture records what the running service reads, and the recording replays into a fresh box with every second right", { timeout: 300_000 }, async () => {
  const rig = await startRig({
    kernelPps: true,
    chronyLines: (dir) => [`refclock SOCK ${dir}/nmea.sock refid NMEA poll 2 noselect`, `refclock SOCK ${dir}/pps.sock refid PPS poll 2 precision 1e-7`],
    daemonArgs: (p) => ["--serial", p.device, "--sock", p.sock, "--status", p.status],
  });
  const kernel = rig.kernel!;
  // The recording outlives the box (rig.close removes its directory), as it would be copied off it.
  const out = join(mkdtempSync(join(tmpdir(), "stratum1-field-")), "field.cap.gz");
  const conf = join(rig.dir, "stratum1.conf");
  writeFileSync(conf, `status.path = ${rig.paths.status}\ncapture.socket = ${join(rig.dir, "capture.sock")}\n`);
  const written: Buffer[] = [];
  const stamps = new Map<string, number>();
  try {
    const startSecond = rig.nextSecond();
    const pulses = startPulses({ clock: rig.clock, kernel, phaseNs: (s) => 1300 + (s % 5) * 10, pulse: (s) => s >= startSecond, onEdge: (_s, st) => stamps.set(`${st.sec}.${st.nsec}`, st.sec) });
    const feeding = replay(rig.epochs("neo-m8n.log"), {
      feedPath: rig.paths.feed,
      baud: 9600,
      delayMs: 130,
      startSecond,
      rewrite: true,
      // The log once, not looped (its first and last lines are cut: a loop would write them back to
      // back): 45 s, which outlast the 6 s wait, the recorder's 25 s and a slow start of stratum1ctl.
      epochs: 45,
      clock: rig.clock,
      onWrite: (w) => written.push(Buffer.from((w.text ?? "") + "\r\n", "latin1")),
    });
    await new Promise((r) => setTimeout(r, 6000));
    const recorded = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, [CTL, "capture", "--seconds", "25", "--out", out, "--config", conf, "--note", "test recording"], (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: stdout + stderr }),
      ),
    );
    await feeding;
    pulses.stop();
    assert.equal(recorded.code, 0, recorded.out);
    // 25 s of a 1 Hz pulse, less the last 2 s the tap still holds to sort them (HOLD_US in
    // src/capture/captureTap.ts) when the recorder hangs up: 23 edges, give or take the one at each
    // end of the window; the recorder's clock starts at its connect, which a loaded machine accepts
    // a second or two late (21 seen in a CI run).
    const told = /field\.cap\.gz: \d+ serial bytes in \d+ reads, (\d+) pulse edges, 0 events/.exec(recorded.out);
    assert.ok(told && Number(told[1]) >= 21 && Number(told[1]) <= 24, recorded.out);
    assert.ok(rig.daemon.lines.some((l) => /capture: a recorder connected/.test(l)));

    const c = readCaptureFile(out);
    assert.equal(c.header.baud, "9600");
    assert.equal(c.header.serial, rig.paths.device);
    assert.equal(c.header.note, "test recording");
    assert.match(c.header["host-clock"] ?? "", /chrony/);
    assert.ok(Date.parse(c.header.date ?? "") > 0);
    // Bytes exact: what was recorded is one stretch of what the receiver sent.
    const sent = Buffer.concat(written).toString("latin1");
    const got = Buffer.concat(c.records.flatMap((r) => (r.kind === "serial" ? [r.bytes] : []))).toString("latin1");
    assert.ok(got.length > 12_000, `${got.length} bytes recorded in 25 s at 9600 baud`);
    assert.ok(sent.includes(got), "the recorded bytes are the sent bytes, in order, none lost or added");
    // Kernel stamps exact: each recorded edge is one the fake kernel stamped, to the nanosecond.
    const edges = c.records.filter((r) => r.kind === "assert");
    for (const e of edges) assert.ok(stamps.has(`${e.at.sec}.${e.at.nsec}`), `edge ${e.at.sec}.${e.at.nsec} was never stamped`);
    assert.ok(
      edges.every((e, i) => i === 0 || e.seq === edges[i - 1]!.seq + 1),
      "consecutive kernel sequence numbers",
    );
  } finally {
    await rig.close().catch(() => undefined);
  }

  // On the laptop: the recording into a fresh box.
  const verdict = await judgeScenario({ ...bareScenario(out), expect: { ppsSamples: [12, 30], selected: "PPS" } });
  assert.ok(verdict.ok, verdict.report);
});
