/*
 * stratum1ctl against the simulated appliance, run as an operator runs it
 * over SSH: the built dist/src/cli/stratum1ctl.js as a child process, the
 * same config file as the daemon, a real chronyd, a capture replayed through
 * a pty with fake kernel PPS edges, the real stratum1d. Once chrony selects
 * the pulse, status says LOCKED PPS and exits 0, chrony shows the PPS
 * refclock selected with stratum1d's delivery count, pps shows labelled
 * edges; after the daemon stops, status says NOT RUNNING and exits 2.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { Verdict } from "../../src/cli/ctl/verdict.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { startPulses } from "../../sim/replay/pulseGenerator.js";
import { replay } from "../../sim/replay/replayer.js";
import { tellStory } from "../../sim/replay/receiverStory.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import { startRig } from "../support/rig.js";

const CTL = fileURLToPath(new URL("../../src/cli/stratum1ctl.js", import.meta.url));

interface Ran {
  code: number;
  out: string;
  err: string;
}

function stratum1ctl(...args: string[]): Promise<Ran> {
  const env = { ...process.env };
  delete env.STRATUM1_CONFIG;
  return new Promise((resolve) => {
    execFile(process.execPath, [CTL, ...args], { env, timeout: 15_000 }, (err, out, errText) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : -1) : 0;
      resolve({ code, out, err: errText });
    });
  });
}

const show = (t: TestContext, title: string, r: Ran): void => t.diagnostic(`$ stratum1ctl ${title}   (exit ${r.code})\n${r.out}${r.err}`);

test("stratum1ctl on the simulated appliance: LOCKED PPS once chrony selects the pulse (exit 0); NOT RUNNING after the daemon stops (exit 2)", { timeout: 240_000 }, async (t) => {
  let kernel: FakeKernelPps | undefined;
  let conf = "";
  let stopFeeding = async (): Promise<void> => undefined;
  const rig = await startRig({
    chronyLines: (dir) => [`refclock SOCK ${dir}/nmea.sock refid NMEA poll 1 noselect`, `refclock SOCK ${dir}/pps.sock refid PPS poll 1 precision 1e-7`],
    daemonArgs: (p, chrony) => {
      const dir = dirname(p.device);
      kernel = new FakeKernelPps(join(dir, "pps0"));
      conf = join(dir, "stratum1.conf");
      // One file for both, as on the box: the daemon's settings and where stratum1ctl finds the snapshot and chronyd.
      writeFileSync(
        conf,
        [
          `serial.path = ${p.device}`,
          `chrony.sock = ${p.sock}`,
          `pps.sysfs = ${kernel.dir}`,
          `pps.sock = ${join(dir, "pps.sock")}`,
          `status.path = ${p.status}`,
          `control.socket = ${join(dir, "control.sock")}`,
          // chrony.command is the name older boxes' files use for the control socket: still read.
          `chrony.command = ${join(dir, "chronyd.sock")}`,
          `chrony.monitor = ${chrony.monitor}`,
          "lcd.bus = off",
          "",
        ].join("\n"),
      );
      return ["--config", conf];
    },
  });
  try {
    const story = tellStory(
      rig.epochs("neo-m8n.log"),
      [
        { kind: "cold", seconds: 6 },
        { kind: "fix", seconds: 75 },
        // A u-blox says when it vouches for its UTC (NAV-TIMEUTC), so the box needs no hold-off after this cold start.
      ],
      { vouches: true },
    );
    const startSecond = rig.nextSecond();
    const pulses = startPulses({ clock: rig.clock, kernel: kernel!, phaseNs: () => 1500, pulse: (s) => s >= startSecond });
    const abort = new AbortController();
    const replaying = replay(story, { feedPath: rig.paths.feed, baud: 9600, delayMs: 120, startSecond, rewrite: true, clock: rig.clock }, abort.signal);
    stopFeeding = async () => {
      abort.abort();
      pulses.stop();
      await replaying.catch(() => undefined);
    };

    // The first snapshot is written on the daemon's first status tick, up to a second after it opened the port.
    for (let i = 0; i < 50 && !existsSync(rig.paths.status); i++) await sleep(100);
    const early = await stratum1ctl("status", "--config", conf);
    show(t, "status (cold start)", early);
    assert.equal(early.code, 1, "a box without a fix is degraded, not down");

    // Polled as a monitoring system would; on this shared 2-CPU machine a stall can cost the lock for a few seconds, so the text view is polled too.
    const seen: string[] = [];
    const pollUntil = async (args: string[], done: (r: Ran) => boolean): Promise<Ran | undefined> => {
      while (rig.clock.realtimeUs() / 1e6 < startSecond + 80) {
        const r = await stratum1ctl(...args, "--config", conf);
        seen.push(`${args.join(" ")}: exit ${r.code} ${r.out.split("\n")[1]?.slice(0, 70)}`);
        if (done(r)) return r;
        await sleep(2000);
      }
      return undefined;
    };
    const json = await pollUntil(["status", "--json"], (r) => r.code === 0 && (JSON.parse(r.out) as { verdict: Verdict }).verdict.label === "LOCKED PPS");
    assert.ok(json, `status --json reached LOCKED PPS with exit 0; saw:\n${seen.join("\n")}`);
    const locked = JSON.parse(json.out) as { verdict: Verdict; snapshot: StatusSnapshot };
    assert.equal(locked.snapshot.chrony?.selected?.name, "PPS");
    assert.equal(locked.verdict.state, "serving");
    assert.ok(
      seen.some((v) => / exit 1 /.test(v)),
      `degraded (exit 1) before the lock:\n${seen.join("\n")}`,
    );

    const status = await pollUntil(["status"], (r) => r.code === 0);
    assert.ok(status, `status (text) exit 0; saw:\n${seen.join("\n")}`);
    show(t, "status", status);
    assert.match(status.out.split("\n")[1]!, /^LOCKED PPS, serving stratum 1 \(serving good time\)$/);
    assert.match(status.out, /reference +PPS \(stratum 1\), leap normal/);
    assert.match(status.out, /Alarms\n +none/);

    const chrony = await pollUntil(["chrony"], (r) => r.code === 0 && /^ {2}\* selected +PPS \(refclock\)/m.test(r.out));
    assert.ok(chrony, `chrony shows PPS selected; saw:\n${seen.join("\n")}`);
    show(t, "chrony", chrony);
    const ppsRow = chrony.out.split("\n").find((l) => /PPS \(refclock\)/.test(l));
    assert.ok(ppsRow, chrony.out);
    assert.match(ppsRow, /^ {2}\* selected +PPS \(refclock\) .* stratum1d: (\d+) sent, ok$/);
    assert.ok(Number(/stratum1d: (\d+) sent/.exec(ppsRow)![1]) > 5);
    assert.match(chrony.out, /NMEA \(refclock\) .* stratum1d: \d+ sent, ok/);

    const pps = await pollUntil(["pps"], (r) => r.code === 0 && /state +locked since/.test(r.out));
    assert.ok(pps, `pps shows the pulse locked; saw:\n${seen.join("\n")}`);
    show(t, "pps", pps);
    const labelled = pps.out.split("\n").filter((l) => /^ {2}\d{4}-.* labelled$/.test(l));
    assert.ok(labelled.length >= 10, pps.out);
    for (const row of labelled) {
      // The fake kernel stamps each edge 1.5 µs after its true second: the label is that second.
      const [at, , label] = row.trim().split(/ {2,}/);
      assert.ok(at!.endsWith(".000001500Z"), row);
      assert.equal(label, `${at!.slice(0, 19)}Z`, row);
    }

    const gps = await stratum1ctl("gps", "--config", conf);
    show(t, "gps", gps);
    assert.equal(gps.code, 0);
    assert.match(gps.out, /Satellites 23 listed, \d+ used \(from GSV\+GSA/);
    assert.match(gps.out, /^Receiver control$/m);

    // The replayed receiver only talks: the daemon finds an NMEA receiver, and says over its control socket that there is nothing to read or save.
    assert.equal(statSync(join(dirname(conf), "control.sock")).mode & 0o777, 0o600);
    const settings = await stratum1ctl("gps", "config", "--show", "--config", conf);
    show(t, "gps config --show", settings);
    assert.equal(settings.code, 1);
    assert.match(settings.out, /^ {2}settings +an NMEA-only receiver has no settings the box can read$/m);
    const save = await stratum1ctl("gps", "config", "--save", "--config", conf);
    show(t, "gps config --save", save);
    assert.equal(save.code, 1);
    assert.match(save.out, /^not saved: no u-blox receiver identified: nothing to save$/m);

    await stopFeeding();
    await rig.daemon.stop();
    await sleep(6500);
    const stopped = await stratum1ctl("status", "--config", conf);
    show(t, "status (daemon stopped)", stopped);
    assert.equal(stopped.code, 2);
    assert.match(stopped.out, /^NOT RUNNING: stratum1d is NOT RUNNING \(or hung\)/m);
    const noService = await stratum1ctl("gps", "config", "--show", "--config", conf);
    assert.equal(noService.code, 2);
    assert.match(noService.err, /no control socket at .*control\.sock: is stratum1d running/);
  } finally {
    await stopFeeding();
    await rig.close();
  }
});
