/*
 * The update's boot selection as RAUC drives it through the tryboot backend,
 * and the decision at boot: the sequences an operator lives through (install,
 * trial, commit; a trial that fails or never comes back; a mark-bad), judged
 * by what the firmware would read (autoboot.txt) and what the box remembers.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseAutoboot, renderAutoboot } from "../../src/update/autoboot.js";
import { EMPTY_STATE, parseBootState, renderBootState } from "../../src/update/bootState.js";
import { cmdlineForSlot } from "../../src/update/cmdline.js";
import { awaitGoodTime, decideAtBoot, recordRollback } from "../../src/update/commit.js";
import { barFromRunning, judgeTime } from "../../src/update/goodTime.js";
import { parseLayout } from "../../src/update/layout.js";
import { explainRefusal } from "../../src/update/rauc.js";
import { bootedFromCmdline, committedSlot, primarySlot, setPrimary, setState, slotState, type BootView } from "../../src/update/tryboot.js";
import { REPO } from "../support/twin.js";
import { healthySnapshot } from "../support/snapshot.js";

const layout = parseLayout(readFileSync(`${REPO}/image/layout.env`, "utf8"));
const fresh = (): BootView => ({ layout, autoboot: { normal: layout.boot.A, tryboot: layout.boot.B }, state: EMPTY_STATE });
/** What the firmware boots: [tryboot]'s partition with the flag, [all]'s without. */
const firmware = (v: BootView, tryboot: boolean): number => parseAutoboot(renderAutoboot(v.autoboot))[tryboot ? "tryboot" : "normal"];

test("autoboot.txt: the file the firmware reads, tryboot_a_b on, and a file without it refused with the fix", () => {
  const text = renderAutoboot({ normal: 2, tryboot: 3 });
  assert.equal(text, "[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n");
  assert.ok(Buffer.byteLength(text) <= 512, "the firmware reads at most 512 bytes");
  assert.deepEqual(parseAutoboot(text.replace(/\n/g, "\r\n")), { normal: 2, tryboot: 3 });
  assert.throws(() => parseAutoboot("[all]\nboot_partition=2\n"), /lacks tryboot_a_b=1/);
});

test("install then a trial that reaches good time: only the tryboot boot starts B until mark-good commits it", () => {
  const installed = setState(fresh(), "B", false, "A"); // RAUC marks the target bad before writing it
  assert.equal(slotState(installed, "B"), "bad");
  const armed = setPrimary(installed, "B");
  assert.equal(primarySlot(armed), "B");
  assert.equal(slotState(armed, "B"), "good");
  assert.equal(firmware(armed, false), layout.boot.A, "a power cut or a plain reboot still starts A");
  assert.equal(firmware(armed, true), layout.boot.B, "reboot '0 tryboot' starts B once");
  assert.deepEqual(decideAtBoot(armed, "A"), { kind: "armed", slot: "B" }, "not rebooted into yet: no rollback");
  const trial = { ...armed, state: { ...armed.state, trialBar: "receiver" as const, trialRebooted: true } };
  assert.deepEqual(decideAtBoot(trial, "B"), { kind: "trial", slot: "B", bar: "receiver" });
  const committed = setState(trial, "B", true, "B"); // rauc status mark-good on the trial
  assert.equal(committedSlot(committed), "B");
  assert.equal(firmware(committed, false), layout.boot.B);
  assert.equal(firmware(committed, true), layout.boot.A);
  assert.equal(committed.state.trial, null);
  assert.deepEqual(decideAtBoot(committed, "B"), { kind: "steady" });
});

test("a trial that never comes back (crash, hang, power cut): the committed slot boots and records the rollback", () => {
  const armed = setPrimary(fresh(), "B");
  const rebooted = { ...armed, state: { ...armed.state, trialRebooted: true } };
  const d = decideAtBoot(rebooted, "A");
  assert.deepEqual(d, { kind: "trial-failed", slot: "B" });
  const after = recordRollback(rebooted, "B", "2.0", new Date("2026-11-30T05:00:00.123Z"), "it crashed");
  assert.equal(after.state.trial, null);
  assert.equal(slotState(after, "B"), "bad");
  assert.deepEqual(after.state.rollback, { slot: "B", version: "2.0", at: "2026-11-30T05:00:00Z", reason: "it crashed", acknowledged: false });
  assert.equal(firmware(after, false), layout.boot.A, "A stays committed");
  assert.deepEqual(parseBootState(renderBootState(after.state)), after.state, "what is written is what is read back");
});

test("mark-good on a slot that is not booted does not switch the boot; mark-bad on the committed slot falls back to a good other", () => {
  const v = setPrimary(fresh(), "B");
  assert.equal(committedSlot(setState(v, "B", true, "A")), "A", "only the booted trial commits itself");
  const fallback = setState(fresh(), "A", false, "A");
  assert.equal(committedSlot(fallback), "B");
  const bothBad = setState(setState(fresh(), "B", false, "A"), "A", false, "A");
  assert.equal(committedSlot(bothBad), "A", "no fallback to a slot marked bad");
});

test("cmdline.txt of the slot written: its root and its name, before init=; the booted slot read back from it", () => {
  const a = "console=tty1 root=PARTUUID=5e1da7a0-05 rootwait rauc.slot=A panic=10 ro init=/usr/lib/stratum1/overlay-init\n";
  const b = cmdlineForSlot(a, layout, "B");
  assert.equal(b, `console=tty1 rootwait panic=10 ro root=PARTUUID=${layout.diskId}-0${layout.root.B} rauc.slot=B init=/usr/lib/stratum1/overlay-init\n`);
  assert.equal(bootedFromCmdline(b), "B");
  assert.equal(bootedFromCmdline("root=/dev/vda1"), null);
});

test("good time: the bar set at install (the receiver's pulse and chrony on it, or chrony alone) and an update alarm not counting", () => {
  const now = Date.parse("2026-11-30T05:00:00Z") * 1000;
  const good = healthySnapshot(now);
  assert.equal(judgeTime(good, now, "receiver").good, true);
  assert.equal(barFromRunning(good, now), "receiver");
  const withUpdateAlarm = { ...good, alarms: [...good.alarms, { id: "update-rolled-back", title: "ROLLED BACK", hint: "", detail: "" } as unknown as (typeof good.alarms)[number]] };
  assert.equal(judgeTime(withUpdateAlarm, now, "receiver").good, true);
  const noPulse = { ...good, pps: { ...good.pps!, state: "no-pulse" as const, detail: "no pulse for 30 s" } };
  assert.equal(judgeTime(noPulse, now, "receiver").good, false);
  assert.equal(judgeTime(noPulse, now, "chrony").good, true, "chrony still synchronised");
  const unsynced = { ...good, chrony: { ...good.chrony!, tracking: { ...good.chrony!.tracking!, leap: "unsynchronised" as const } } };
  assert.equal(judgeTime(unsynced, now, "chrony").good, false);
  assert.equal(barFromRunning(null, now), "chrony");
});

test("awaiting good time: commits as soon as it is good; gives up at the deadline with the last reason", async () => {
  let t = 0;
  const deps = (goodAt: number) => ({
    judge: async () => (t >= goodAt ? { good: true, reason: "LOCKED PPS" } : { good: false, reason: `chrony not synchronised yet (${t})` }),
    nowMs: () => t,
    sleep: async (ms: number) => void (t += ms),
    log: () => {},
  });
  assert.deepEqual(await awaitGoodTime(deps(30_000), 60), { good: true, reason: "LOCKED PPS" });
  assert.equal(t, 30_000);
  t = 0;
  const late = await awaitGoodTime(deps(90_000), 60);
  assert.equal(late.good, false);
  assert.match(late.reason, /^no good time within 60 s \(last: chrony not synchronised yet \(60000\)\)$/);
});

test("a refused bundle is explained: unsigned, not the owner's key, another product; RAUC's own words kept", () => {
  assert.match(explainRefusal("Invalid bundle format: Signature size is 0"), /^the bundle is not signed \(Invalid bundle format: Signature size is 0\)$/);
  assert.match(
    explainRefusal("signature verification failed: Verify error: self-signed certificate"),
    /^the bundle is not signed with the owner's key in \/etc\/rauc\/keyring\.pem \(signature verification failed/,
  );
  assert.match(explainRefusal("Compatible mismatch: Expected 'stratum1-rpi-arm64' but bundle manifest has 'x'"), /^the bundle is for another product or CPU \(Compatible mismatch/);
  assert.equal(explainRefusal("No space left on device"), "No space left on device");
});
