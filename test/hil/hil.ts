#!/usr/bin/env node
/*
 * The hardware-in-the-loop harness from the command line (npm run hil -- …):
 *   replay FILE [--expect NAME.expect.json] [--rig --uart PATH --gpio PIN [--pps-sysfs DIR]] [--quiet]
 *       replay a capture into a fresh stratum1d + chronyd, show its LCD and log,
 *       judge every second; exit 1 on any wrong second or unmet expectation
 *   judge NAME... | --all [--jobs N]
 *       run scenarios from test/hil/scenarios, several at once (each has its own chronyd)
 *   convert LOG --out FILE.cap[.gz] [--baud N] [--delay-ms N] [--start ISO] [--seconds N]
 *           [--keep-times] [--pulses always|fix|none] [--receiver TEXT]
 *       turn an untimed log (../shared/captures/gpsd/*.log) into a timed capture
 *   build-scenarios [--check]
 *       (re)write the scenario library's captures from the shared logs; --check
 *       only compares them with what is checked in
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeCaptureFile } from "../../src/capture/captureFile.js";
import { convertEpochs, type PulsePolicy } from "../../sim/replay/convertLog.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { judgeScenario, type JudgeOptions } from "./judge.js";
import { openRigBackend } from "./rigBackend.js";
import { bareScenario, loadScenario, SCENARIO_DIR } from "./scenario.js";
import { buildScenarioCaptures, SCENARIO_NAMES } from "./scenarioLibrary.js";

const argv = process.argv.slice(2);
const VALUE_FLAGS = new Set(["--expect", "--uart", "--gpio", "--pps-sysfs", "--serial", "--jobs", "--out", "--baud", "--delay-ms", "--start", "--seconds", "--pulses", "--receiver"]);
const flag = (name: string): boolean => argv.includes(name);
function option(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
function positional(): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (VALUE_FLAGS.has(argv[i]!)) i++;
    else if (!argv[i]!.startsWith("--")) out.push(argv[i]!);
  }
  return out;
}

async function replayCommand(): Promise<number> {
  const file = positional()[0];
  if (!file) throw new Error("replay needs a capture file: npm run hil -- replay FILE.cap.gz");
  const expect = option("--expect");
  const sc = expect ? loadScenario(expect) : bareScenario(file);
  const quiet = flag("--quiet");
  const opts: JudgeOptions = {
    ...(quiet ? {} : { onLog: (l: string) => void process.stdout.write(`[stratum1d] ${l}\n`), onLcd: (box: string[]) => void process.stdout.write(box.map((l) => `[lcd] ${l}`).join("\n") + "\n") }),
  };
  if (flag("--rig")) {
    const uart = option("--uart");
    const gpio = option("--gpio");
    if (!uart || !gpio) throw new Error("--rig needs --uart PATH (the rig's transmitting UART) and --gpio PIN (the BCM pin wired to the appliance's PPS input)");
    opts.backend = (_dir, baud) =>
      openRigBackend({ uart, baud, gpioPin: Number(gpio), ppsSysfs: option("--pps-sysfs") ?? "/sys/class/pps/pps0", applianceSerial: option("--serial") ?? "/dev/serial0" });
  }
  const v = await judgeScenario(sc, opts);
  process.stdout.write(v.report + "\n");
  return v.ok ? 0 : 1;
}

/** Each scenario in a process of its own, a few at a time: they share nothing but the CPU. */
async function judgeCommand(): Promise<number> {
  const names = flag("--all") ? [...SCENARIO_NAMES] : positional();
  if (names.length === 0) throw new Error(`judge needs scenario names or --all (${SCENARIO_NAMES.join(", ")})`);
  if (names.length === 1) {
    const v = await judgeScenario(loadScenario(names[0]!));
    process.stdout.write(v.report + "\n");
    return v.ok ? 0 : 1;
  }
  const jobs = Number(option("--jobs") ?? "4");
  const queue = [...names];
  let failed = 0;
  const self = fileURLToPath(import.meta.url);
  const worker = async (index: number): Promise<void> => {
    // Starting a box costs a burst of CPU: the first ones start a few seconds apart.
    await new Promise((resolve) => setTimeout(resolve, index * 4000));
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const n = name;
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [self, "judge", n], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (c) => {
          process.stdout.write(out);
          resolve(c ?? 1);
        });
      });
      if (code !== 0) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, names.length) }, (_, i) => worker(i)));
  process.stdout.write(`${names.length - failed}/${names.length} scenarios passed\n`);
  return failed === 0 ? 0 : 1;
}

function convertCommand(): number {
  const log = positional()[0];
  const out = option("--out");
  if (!log || !out) throw new Error("convert needs a log and --out FILE: npm run hil -- convert ../shared/captures/gpsd/neo-m8n.log --out neo.cap.gz");
  const pulses = (option("--pulses") ?? "fix") as PulsePolicy;
  if (!["always", "fix", "none"].includes(pulses)) throw new Error("--pulses: always, fix or none");
  const start = option("--start");
  const startS = start ? Date.parse(start) / 1000 : Math.floor(Date.now() / 1000);
  if (!Number.isInteger(startS)) throw new Error(`--start ${start}: give a whole second, e.g. 2026-11-29T12:00:00Z`);
  const epochs = splitEpochs(readFileSync(log));
  const seconds = option("--seconds");
  const capture = convertEpochs(epochs, {
    baud: Number(option("--baud") ?? "9600"),
    delayMs: Number(option("--delay-ms") ?? "100"),
    startS,
    ...(seconds ? { epochs: Number(seconds) } : {}),
    retime: !flag("--keep-times"),
    pulses,
    header: { receiver: option("--receiver") ?? "not named", source: `converted from ${log} by 'npm run hil -- convert'`, date: new Date(startS * 1000).toISOString() },
  });
  writeCaptureFile(out, capture);
  process.stdout.write(`${out}: ${epochs.length} epochs from ${log}, ${capture.records.length} records\n`);
  return 0;
}

function buildCommand(): number {
  const changed = buildScenarioCaptures(SCENARIO_DIR, flag("--check"));
  if (flag("--check")) {
    process.stdout.write(changed.length === 0 ? "scenario captures match their recipes\n" : `differ from their recipes: ${changed.join(", ")}\n`);
    return changed.length === 0 ? 0 : 1;
  }
  process.stdout.write(`wrote ${SCENARIO_NAMES.length} scenario captures to ${SCENARIO_DIR} (${changed.length} changed)\n`);
  return 0;
}

const COMMANDS: Record<string, () => number | Promise<number>> = { replay: replayCommand, judge: judgeCommand, convert: convertCommand, "build-scenarios": buildCommand };

const run = COMMANDS[argv[0] ?? ""];
if (!run) {
  process.stderr.write(`usage: npm run hil -- ${Object.keys(COMMANDS).join(" | ")} …  (see test/hil/README.md)\n`);
  process.exitCode = 2;
} else {
  Promise.resolve()
    .then(run)
    .then(
      (code) => (process.exitCode = code),
      (err: Error) => {
        process.stderr.write(`hil: ${err.message}\n`);
        process.exitCode = 1;
      },
    );
}
