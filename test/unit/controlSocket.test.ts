/*
 * control.socket against the whole service: the virtual box runs startService
 * with a simulated NEO-M8N on the wire, and the test talks to the real unix
 * socket the service opens, as stratum1ctl does. Replies that involve the
 * receiver need virtual time to pass, so the clock runs while the client
 * waits.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { NEO_M8N } from "../../sim/receivers/ubloxModels.js";
import { SimulatedUblox } from "../../sim/receivers/ubloxReceiver.js";
import { startVirtualBox, type VirtualBox } from "../../sim/virtual/virtualBox.js";
import { askService, type Asked } from "../../src/cli/ctl/controlClient.js";
import { KEYS } from "../../src/gnss/ubx/cfgKeys.js";

const START_US = Date.UTC(2026, 10, 30, 9, 0, 0) * 1000;

/** Runs virtual time until the promise settles (the service needs it to talk to the receiver). */
async function whileRunning<T>(box: VirtualBox, p: Promise<T>): Promise<T> {
  let settled = false;
  void p.finally(() => (settled = true));
  for (let i = 0; i < 600 && !settled; i++) await box.clock.runFor(100);
  assert.ok(settled, "the reply came within 60 s of virtual time");
  return p;
}

/** Sends raw bytes and reads what the service answers. */
function raw(path: string, bytes: string | Buffer, halfClose = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let got = "";
    s.on("connect", () => (halfClose ? s.end(bytes) : s.write(bytes)));
    s.on("data", (d: Buffer) => (got += d.toString()));
    s.on("close", () => resolve(got));
    s.on("error", reject);
  });
}

async function readyBox(dir: string, rx: SimulatedUblox, settings: Record<string, string> = {}): Promise<VirtualBox> {
  const box = startVirtualBox({ startUs: START_US, receiver: rx, lcd: false, settings: { "control.socket": join(dir, "control.sock"), "gps.cable-delay": "75", ...settings } });
  for (let i = 0; i < 120 && box.service.snapshot()?.gpsControl?.state !== "ready"; i++) await box.clock.runFor(1000);
  assert.equal(box.status().gpsControl?.state, "ready", box.log.filter((l) => l.includes("gps")).join("\n"));
  return box;
}

test("gps config --show and --save through control.socket: the receiver's own settings, saved over a power cycle", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-control-"));
  const rx = new SimulatedUblox(NEO_M8N);
  const box = await readyBox(dir, rx);
  const path = join(dir, "control.sock");
  try {
    assert.equal(statSync(path).mode & 0o777, 0o600, "only the service's user and root");
    const show: Asked = await whileRunning(box, askService(path, "gps-config-show"));
    assert.ok(show.ok && show.reply.ok && show.reply.request === "gps-config-show", JSON.stringify(show));
    const byName = Object.fromEntries(show.reply.items.map((i) => [i.name, i.value]));
    assert.equal(byName["navigation model"], "stationary");
    assert.match(byName["time pulse"] ?? "", /cable delay 75 ns/);
    assert.match(byName.outputs ?? "", /NAV-PVT 1/);

    const save = await whileRunning(box, askService(path, "gps-config-save"));
    assert.ok(save.ok && save.reply.ok && save.reply.request === "gps-config-save", JSON.stringify(save));
    assert.equal(save.reply.result.outcome, "acknowledged", save.reply.result.detail);
    box.receiver!.powerCycle();
    assert.equal(rx.outputRate("NAV-PVT"), 1, "restored from BBR/flash after the power cycle");
    assert.equal(rx.get(KEYS.TP_ANT_CABLEDELAY), 75);
    await box.clock.runFor(2000);
    assert.deepEqual(box.status().service.control, { served: 2, refused: 0, lastRefusal: null });
  } finally {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--show asked while the service is still identifying and configuring the receiver waits for it, then reads the settings it set", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-control-"));
  const box = startVirtualBox({ startUs: START_US, receiver: new SimulatedUblox(NEO_M8N), lcd: false, settings: { "control.socket": join(dir, "control.sock") } });
  try {
    await box.clock.runFor(500);
    const show = askService(join(dir, "control.sock"), "gps-config-show");
    const asked = await whileRunning(box, show);
    assert.ok(asked.ok && asked.reply.ok && asked.reply.request === "gps-config-show", JSON.stringify(asked));
    const byName = Object.fromEntries(asked.reply.items.map((i) => [i.name, i.value]));
    assert.equal(byName["navigation model"], "stationary", "read after configuring, not during");
    assert.match(byName.outputs ?? "", /NAV-PVT 1/);
  } finally {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad requests on control.socket: each answered with an error and counted, and the service keeps running", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-control-"));
  const box = await readyBox(dir, new SimulatedUblox(NEO_M8N));
  const path = join(dir, "control.sock");
  try {
    const replies = [await raw(path, "hello\n"), await raw(path, '{"request":"reboot"}\n'), await raw(path, "[1,2]"), await raw(path, Buffer.alloc(5000, 0x41))].map(
      (r) => JSON.parse(r) as { ok: boolean; error: string },
    );
    assert.deepEqual(
      replies.map((r) => r.ok),
      [false, false, false, false],
    );
    assert.match(replies[0]!.error, /not JSON/);
    assert.match(replies[1]!.error, /unknown request "reboot": known requests are gps-config-show, gps-config-save/);
    assert.match(replies[2]!.error, /not a JSON object/);
    assert.match(replies[3]!.error, /longer than 1024 bytes/);
    // A client that connects and says nothing is answered once the wait is over, in the service's time.
    const silent = raw(path, "", false);
    await box.clock.runFor(6000);
    assert.match((JSON.parse(await silent) as { error: string }).error, /no request within 5 s/);

    // A request without its newline, the client's side closed: still one request, answered.
    const halfClosed = JSON.parse(await whileRunning(box, raw(path, '{"request":"gps-config-show"}'))) as { ok: boolean; items: unknown[] };
    assert.equal(halfClosed.ok, true);
    assert.ok(halfClosed.items.length > 3);

    await box.clock.runFor(2000);
    assert.equal(box.status().service.control?.refused, 5);
    assert.equal(box.status().service.control?.served, 1);
    assert.equal(box.status().gpsControl?.state, "ready");
    assert.deepEqual(box.status().service.faults, {});
    const show = await whileRunning(box, askService(path, "gps-config-show"));
    assert.ok(show.ok && show.reply.ok, "still answering");
  } finally {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gps.configure off: --save is answered with why not", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-control-"));
  const box = startVirtualBox({ startUs: START_US, receiver: new SimulatedUblox(NEO_M8N), lcd: false, settings: { "control.socket": join(dir, "control.sock"), "gps.configure": "off" } });
  try {
    await box.clock.runFor(20_000);
    const save = await whileRunning(box, askService(join(dir, "control.sock"), "gps-config-save"));
    assert.ok(save.ok && save.reply.ok && save.reply.request === "gps-config-save", JSON.stringify(save));
    assert.equal(save.reply.result.outcome, "skipped");
    assert.match(save.reply.result.detail, /gps.configure is off/);
  } finally {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a service that cannot talk to its receiver answers --show with why, and a missing socket is a message with the fix", async () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-control-"));
  const box = startVirtualBox({ startUs: START_US, lcd: false, settings: { "control.socket": join(dir, "control.sock") } });
  try {
    await box.clock.runFor(2000);
    const show = await whileRunning(box, askService(join(dir, "control.sock"), "gps-config-show"));
    assert.ok(show.ok && !show.reply.ok, JSON.stringify(show));
    assert.match(show.reply.error, /cannot talk to this receiver \(it only listens/);
    const missing = await askService(join(dir, "nothing.sock"), "gps-config-show");
    assert.ok(!missing.ok);
    assert.match(missing.message, /no control socket at .*is stratum1d running/);
  } finally {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
