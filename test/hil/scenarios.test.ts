/*
 * The scenario library as the regression suite. Every scenario is judged in
 * virtual time: the whole service on the fakes, at the capture's own dates,
 * in well under a second each, the same way every run. The few whose point
 * is a real component are also replayed in real time into the real daemon
 * and a real chronyd: chronyd restarted under the box, the serial device
 * vanishing, and chronyd's own leap second handling; plus the rig back end
 * driven through its pin-writing layer into the real service (a pty for the
 * rig's second UART, a sysfs-shaped GPIO directory whose `value` is the FIFO
 * the service reads as its pulse input).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { openPtyPair } from "../../sim/run/ptyPair.js";
import { judgeScenario } from "./judge.js";
import { openRigBackend } from "./rigBackend.js";
import { SCENARIO_NAMES } from "./scenarioLibrary.js";
import { loadScenario, SCENARIO_DIR } from "./scenario.js";
import { buildScenarioCaptures } from "./scenarioLibrary.js";
import { judgeScenarioVirtual } from "./virtualJudge.js";

const HIL = fileURLToPath(new URL("./hil.js", import.meta.url));
const JOBS = 4;
/** Judged against real chronyd too: what only the real components can show. */
const REAL_TIME: readonly string[] = ["chrony-restart", "unplug-replug", "leap-second"];
/** Not yet in virtual time: the leap announcement reaches the chronyd model only through the samples' leap flag. */
const REAL_TIME_ONLY: readonly string[] = ["leap-second"];

test("the library's captures are exactly what their recipes make from the shared logs", () => {
  assert.deepEqual(buildScenarioCaptures(SCENARIO_DIR, true), [], "rebuild with: npm run hil -- build-scenarios");
});

function judgeInChild(name: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HIL, "judge", name], { timeout: 400_000, maxBuffer: 1 << 22 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

test("the scenario library in virtual time: the whole service on the fakes, every second judged", async (t) => {
  for (const name of SCENARIO_NAMES.filter((n) => !REAL_TIME_ONLY.includes(n))) {
    await t.test(name, async () => {
      const v = await judgeScenarioVirtual(loadScenario(name));
      assert.equal(v.wrong.length, 0, v.report);
      assert.ok(v.ok, v.report);
    });
  }
});

test("scenarios whose point is a real component, replayed into stratum1d and judged by real chronyd", { concurrency: JOBS, timeout: 1_200_000 }, async (t) => {
  let started = 0;
  const runs = REAL_TIME.map((name) =>
    t.test(name, async () => {
      // Starting a box is a burst of CPU: the first few start seconds apart.
      const slot = started++;
      if (slot < JOBS) await new Promise((r) => setTimeout(r, slot * 4000));
      const { code, out } = await judgeInChild(name);
      assert.equal(code, 0, out);
      assert.match(out, / 0 wrong/, out);
    }),
  );
  runs.push(
    t.test("the rig back end through its pins: a pty as the rig's UART, a sysfs GPIO whose value the service reads as its pulse", async () => {
      const slot = started++;
      if (slot < JOBS) await new Promise((r) => setTimeout(r, slot * 4000));
      const startS = Date.UTC(2026, 10, 20, 12) / 1000;
      const capture = convertEpochs(splitEpochs(readCapture("neo-m8n.log")), { baud: 9600, delayMs: 150, startS, epochs: 50, pulses: "fix", header: { receiver: "u-blox NEO-M8N" } });
      const verdict = await judgeScenario(
        {
          name: "rig-loopback",
          title: "rig back end, loopback",
          story: "",
          capturePath: "(built in the test)",
          capture,
          expect: { ppsSamples: [20, 50], nmeaSamples: [30, 50], log: ["pps: locked"], selected: "PPS" },
        },
        {
          backend: async (dir, baud) => {
            // /sys/class/gpio as a Pi 4 with kernel >= 6.6 has it: BCM 17 is gpio529.
            const root = join(dir, "gpio");
            mkdirSync(join(root, "gpiochip512"), { recursive: true });
            writeFileSync(join(root, "gpiochip512", "label"), "pinctrl-bcm2711\n");
            writeFileSync(join(root, "gpiochip512", "base"), "512\n");
            writeFileSync(join(root, "export"), "");
            mkdirSync(join(root, "gpio529"));
            writeFileSync(join(root, "gpio529", "direction"), "in\n");
            execFileSync("mkfifo", [join(root, "gpio529", "value")]);
            const wire = await openPtyPair(join(dir, "appliance-uart"), join(dir, "rig-uart"));
            const rig = await openRigBackend({
              uart: wire.feed,
              baud,
              gpioPin: 17,
              gpioRoot: root,
              applianceSerial: wire.device,
              ppsSysfs: "off",
              pulseArgs: ["--pps-sysfs", "off", "--gpio-fifo", join(root, "gpio529", "value")],
              toleranceS: 0.02,
            });
            const close = rig.close.bind(rig);
            rig.close = async () => {
              await close();
              await wire.close();
            };
            return rig;
          },
        },
      );
      assert.ok(verdict.ok, verdict.report);
      assert.equal(verdict.wrong.length, 0, verdict.report);
    }),
  );
  await Promise.all(runs);
});
