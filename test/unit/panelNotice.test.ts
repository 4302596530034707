/*
 * While stratum1d is down the panel says so: systemd runs the notice after
 * every stop with the result in the environment; a stop that was asked for
 * keeps the service's own last words. Drawn through the real panel and
 * driver onto the byte-level LCD emulator.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { noticeFor } from "../../src/cli/serviceNotice.js";
import { FrontPanel } from "../../src/display/frontPanel.js";
import { COMMON_PIN_MAP } from "../../src/display/pcf8574Pins.js";
import { createLogger } from "../../src/log/logger.js";
import { LcdEmulator } from "../../sim/fakes/lcdEmulator.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

test("the notice for each way the service can end: nothing when stopped on purpose, the cause otherwise, each fitting 16 columns", () => {
  assert.equal(noticeFor({ SERVICE_RESULT: "success", EXIT_CODE: "exited", EXIT_STATUS: "0" }), null);
  assert.equal(noticeFor({}), null, "not run by systemd");
  assert.deepEqual(noticeFor({ SERVICE_RESULT: "exit-code", EXIT_CODE: "exited", EXIT_STATUS: "78" }), ["SERVICE DOWN", "bad config"]);
  assert.deepEqual(noticeFor({ SERVICE_RESULT: "watchdog", EXIT_CODE: "killed", EXIT_STATUS: "ABRT" }), ["SERVICE DOWN", "hung, restarting"]);
  assert.deepEqual(noticeFor({ SERVICE_RESULT: "signal", EXIT_CODE: "killed", EXIT_STATUS: "SEGV" }), ["SERVICE DOWN", "crashed, restart"]);
  assert.deepEqual(noticeFor({ SERVICE_RESULT: "exit-code", EXIT_CODE: "exited", EXIT_STATUS: "1" }), ["SERVICE DOWN", "exit 1, restart"]);
  for (const r of ["exit-code", "watchdog", "signal", "core-dump", "timeout", "start-limit-hit"])
    for (const l of noticeFor({ SERVICE_RESULT: r, EXIT_STATUS: "70" }) ?? []) assert.ok(l.length <= 16, l);
});

test("the notice on the glass: the display found at its address (0x3f here, lcd.address auto), backlight on, the two lines", async () => {
  const clock = new VirtualClock(Date.UTC(2026, 10, 30) * 1000);
  const emu = new LcdEmulator(
    0x3f,
    16,
    2,
    () => clock.nowUs,
    COMMON_PIN_MAP,
    (us) => void (clock.nowUs += us),
  );
  const panel = new FrontPanel(
    emu,
    clock,
    createLogger(() => undefined),
    {
      address: "auto",
      pins: COMMON_PIN_MAP,
      geometry: { cols: 16, rows: 2 },
      pageS: 10,
      pages: ["time"],
      delayUs: async (us) => void (clock.nowUs += us),
    },
  );
  await panel.showText(["SERVICE DOWN", "hung, restarting"]);
  assert.deepEqual(emu.screen(), ["SERVICE DOWN    ", "hung, restarting"]);
  assert.equal(emu.backlight, true);
  assert.deepEqual(emu.busyViolations, [], "the driver's timing held");
});
