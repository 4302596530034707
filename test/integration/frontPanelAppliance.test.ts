/*
 * The front panel in the simulated appliance, as a person in front of the
 * rack would see it: real chronyd, the receiver's story (cold start, fix,
 * fix lost) replayed through a pty with fake kernel PPS edges, the real
 * stratum1d drawing on an emulated I2C bus whose byte stream the LCD
 * emulator decodes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LcdEmulator } from "../../sim/fakes/lcdEmulator.js";
import { serveI2cBus } from "../../sim/fakes/i2cBusServer.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { startPulses } from "../../sim/replay/pulseGenerator.js";
import { replay } from "../../sim/replay/replayer.js";
import { tellStory } from "../../sim/replay/receiverStory.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import { startRig } from "../support/rig.js";

interface Seen {
  atUs: number;
  phase: "cold" | "fix" | "lost";
  screen: string[];
  backlight: boolean;
}

test("the LCD goes from 'no fix' to locked on PPS as the replay proceeds, and shows the alarm, blinking, when the fix is lost", { timeout: 240_000 }, async () => {
  let kernel: FakeKernelPps | undefined;
  let emu: LcdEmulator | undefined;
  let i2c: Awaited<ReturnType<typeof serveI2cBus>> | undefined;
  const rig = await startRig({
    chronyLines: (dir) => [`refclock SOCK ${dir}/nmea.sock refid NMEA poll 1 noselect`, `refclock SOCK ${dir}/pps.sock refid PPS poll 1 precision 1e-7`],
    daemonArgs: (p) => {
      const dir = join(p.device, "..");
      kernel = new FakeKernelPps(join(dir, "pps0"));
      return [
        "--serial",
        p.device,
        "--sock",
        p.sock,
        "--status",
        p.status,
        "--pps-sysfs",
        kernel.dir,
        "--pps-sock",
        join(dir, "pps.sock"),
        "--lcd-socket",
        join(dir, "i2c.sock"),
        "--set",
        "lcd.page=2",
      ];
    },
  });
  try {
    emu = new LcdEmulator(0x27, 16, 2, () => rig.clock.realtimeUs());
    i2c = await serveI2cBus(join(rig.dir, "i2c.sock"), emu);
    const parts = [
      { kind: "cold", seconds: 12 },
      { kind: "fix", seconds: 55 },
      { kind: "lost", seconds: 12 },
    ] as const;
    const story = tellStory(rig.epochs("neo-m8n.log"), parts);
    const startSecond = rig.nextSecond();
    const phaseAt = (us: number): Seen["phase"] => {
      const k = us / 1e6 - startSecond;
      return k < 12 ? "cold" : k < 67 ? "fix" : "lost";
    };
    const seen: Seen[] = [];
    const watch = setInterval(() => {
      const now = rig.clock.realtimeUs();
      seen.push({ atUs: now, phase: phaseAt(now), screen: emu!.screen(), backlight: emu!.backlight });
    }, 250);
    const pulses = startPulses({ clock: rig.clock, kernel: kernel!, phaseNs: () => 1500, pulse: (s) => s >= startSecond });
    try {
      await replay(story, { feedPath: rig.paths.feed, baud: 9600, delayMs: 120, startSecond, rewrite: true, clock: rig.clock });
    } finally {
      pulses.stop();
      clearInterval(watch);
    }

    const during = (phase: Seen["phase"]) => seen.filter((x) => x.phase === phase);
    const show = (xs: Seen[]) => [...new Set(xs.map((x) => x.screen.join(" | ")))].join("\n");

    assert.ok(
      during("cold").some((x) => x.screen[0]!.startsWith("\x03NO FIX ") && x.screen[1] === "antenna/sky view"),
      `cold start: the 'no fix' alarm. Screens:\n${show(during("cold"))}`,
    );
    const fix = during("fix");
    const locked = fix.findIndex((x) => x.screen[0] === "LOCKED PPS    S1");
    assert.ok(locked >= 0, `with a fix, the sync page says LOCKED PPS at stratum 1. Screens:\n${show(fix)}`);
    assert.ok(
      fix.slice(locked).every((x) => !x.screen[0]!.startsWith("\x03")),
      "no alarm once locked",
    );
    const clocks = fix.filter((x) => /^\d\d:\d\d:\d\d UTC/.test(x.screen[0]!));
    assert.ok(clocks.length > 10);
    for (const c of clocks) {
      const [h, m, sec] = c.screen[0]!.slice(0, 8).split(":").map(Number) as [number, number, number];
      const shown = ((h * 60 + m) * 60 + sec) % 86400;
      const truth = Math.floor(c.atUs / 1e6) % 86400;
      // Sampled every 250 ms against a tick 5 ms after the second: at most one second behind.
      assert.ok(truth - shown === 0 || truth - shown === 1, `clock shows ${c.screen[0]} at ${new Date(c.atUs / 1000).toISOString()}`);
    }
    assert.ok(
      fix.slice(locked).some((x) => x.screen[0]!.endsWith("\x01S1")),
      "the time page carries the lock glyph",
    );

    const lost = during("lost").filter((x) => x.screen[0]!.startsWith("\x03NO FIX"));
    assert.ok(lost.length > 0, `fix lost: the alarm takes over. Screens:\n${show(during("lost"))}`);
    assert.ok(lost.some((x) => x.backlight) && lost.some((x) => !x.backlight), "and the backlight blinks");

    const st = JSON.parse(readFileSync(rig.paths.status, "utf8")) as StatusSnapshot;
    assert.equal(st.lcd?.state, "ok");
    assert.ok(st.lcd!.bytesPerSecond > 0 && st.lcd!.bytesPerSecond < 100, `${st.lcd!.bytesPerSecond} bytes/s on the bus`);
    assert.deepEqual(
      st.alarms.map((a) => a.id),
      ["no-fix"],
    );
    assert.deepEqual(emu.busyViolations, [], "the daemon's real-time waits kept the controller's timing");
  } finally {
    await i2c?.close();
    await rig.close();
  }
});
