/*
 * `stratum1ctl gps` and `stratum1ctl gps config` against the whole service:
 * a virtual box with a simulated NEO-M8T (a timing receiver, so it surveys
 * in), its snapshot read by the command as an operator's would be, and
 * `gps config` asking the service over the real control socket while
 * virtual time runs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { NEO_M8T } from "../../sim/receivers/ubloxModels.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";
import { startVirtualBox, type VirtualBox } from "../../sim/virtual/virtualBox.js";
import { ctl, type Ran, writeSnapshot } from "../support/ctl.js";

const START_US = Date.UTC(2026, 10, 30, 9, 0, 0) * 1000;

async function runUntil(box: VirtualBox, done: () => boolean, maxS: number): Promise<void> {
  for (let i = 0; i < maxS && !done(); i++) await box.clock.runFor(1000);
  assert.ok(done(), `not reached within ${maxS} s of virtual time:\n${box.log.filter((l) => l.includes("gps")).join("\n")}`);
}

/** stratum1ctl on the box's latest snapshot. */
function gpsView(box: VirtualBox, dir: string, extra: string[] = []): Promise<Ran> {
  const path = writeSnapshot(dir, box.status());
  return ctl(["gps", "--status", path, ...extra], { nowUs: box.clock.realtimeUs() });
}

/** stratum1ctl gps config, virtual time running until it has answered. */
async function gpsConfig(box: VirtualBox, args: string[]): Promise<Ran> {
  let ran: Ran | undefined;
  const p = ctl(["gps", "config", ...args], { nowUs: box.clock.realtimeUs() }).then((r) => (ran = r));
  for (let i = 0; i < 600 && !ran; i++) await box.clock.runFor(100);
  return p;
}

test("stratum1ctl gps: receiver control's state, configuration, survey-in progress, then the position held; gps config --show and --save", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-ctlgps-"));
  const sock = join(dir, "control.sock");
  const box = startVirtualBox({
    startUs: START_US,
    receiver: new SimulatedUblox(NEO_M8T),
    lcd: false,
    stateDir: join(dir, "state"),
    settings: { "control.socket": sock, "gps.survey-time": "120", "gps.survey-accuracy": "5" },
  });
  try {
    await runUntil(box, () => (box.service.snapshot()?.gpsControl?.survey?.durationS ?? 0) >= 10, 300);
    const surveying = await gpsView(box, dir);
    assert.equal(surveying.code, 0, surveying.err);
    const out = surveying.out;
    assert.match(out, /^Receiver control$/m);
    assert.match(out, /^ {2}state +surveying: /m);
    assert.match(out, /^ {2}receiver +u-blox NEO-M8T/m);
    assert.match(out, /^ {2}baud +115200$/m);
    assert.match(out, /^ {2}configuration +\d+ settings acknowledged, none refused \(sent /m);
    assert.match(out, /^ {2}survey-in +\d+ s of at least 120 s, accuracy [\d.]+ m of 5\.00 m wanted/m);
    assert.match(out, /^ {2}qErr +/m);

    await runUntil(box, () => box.service.snapshot()?.gpsControl?.state === "ready" && box.service.snapshot()?.gpsControl?.position !== null, 600);
    const held = await gpsView(box, dir);
    assert.match(held.out, /^ {2}state +ready: /m);
    assert.match(held.out, /^ {2}position held +fixed, surveyed in this run, ±[\d.]+ m$/m);
    assert.doesNotMatch(held.out, /survey-in +\d/);
    const json = JSON.parse((await gpsView(box, dir, ["--json"])).out) as { gpsControl: { state: string; position: { source: string } }; qErr: unknown };
    assert.equal(json.gpsControl.state, "ready");
    assert.equal(json.gpsControl.position.source, "surveyed");
    assert.ok("qErr" in json);

    const show = await gpsConfig(box, ["--show", "--socket", sock]);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /^ {2}Setting +Value$/m);
    // The receiver holds the surveyed position itself; its configured mode is still the survey-in the box asked for.
    assert.match(show.out, /^ {2}time mode +survey-in, at least 120 s to 5 m$/m);
    assert.match(show.out, /^ {2}time pulse +on, .*cable delay 50 ns$/m);
    const save = await gpsConfig(box, ["--save", "--socket", sock]);
    assert.equal(save.code, 0, save.err);
    assert.match(save.out, /^saved: the receiver acknowledged CFG-CFG/);
  } finally {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stratum1ctl gps config: no service is exit 2 with the fix; neither or both of --show/--save is a usage error; control.socket off says how to set it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-ctlgps-"));
  try {
    const now = START_US;
    const absent = await ctl(["gps", "config", "--show", "--socket", join(dir, "none.sock")], { nowUs: now });
    assert.equal(absent.code, 2);
    assert.match(absent.err, /no control socket at .*none\.sock: is stratum1d running \(systemctl status stratum1d\)/);
    assert.equal((await ctl(["gps", "config"], { nowUs: now })).code, 64);
    assert.equal((await ctl(["gps", "config", "--show", "--save"], { nowUs: now })).code, 64);
    assert.equal((await ctl(["gps", "config", "--shw"], { nowUs: now })).code, 64);
    writeFileSync(join(dir, "stratum1.conf"), "control.socket = off\n");
    const off = await ctl(["gps", "config", "--save", "--config", join(dir, "stratum1.conf")], { nowUs: now });
    assert.equal(off.code, 78);
    assert.match(off.err, /control\.socket is off in .*stratum1\.conf; set it \(stratum1ctl config set control\.socket=/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
