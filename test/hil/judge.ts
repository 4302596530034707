/*
 * The judge: one scenario, replayed into the real service and judged by a
 * real chronyd. It starts chronyd (-x: it never steers this machine's clock)
 * and stratum1d with the emulated LCD on its I2C bus, plays the capture
 * through a back end, and watches what a person would: chrony's raw samples
 * (refclocks.log), the service's log and status, the glass of the LCD. Then
 * every sample chrony took is checked against the second its edge or its
 * epoch truly marks, and the scenario's expectations are checked against the
 * rest. A wrong second always fails the run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shiftCapture } from "../../sim/replay/shiftCapture.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import { LcdEmulator } from "../../sim/fakes/lcdEmulator.js";
import { startChronyd, type Chronyd, type ChronyRefclockSample } from "../../sim/run/chronyd.js";
import { spawnDaemon } from "../../sim/run/daemonProcess.js";
import { serveI2cBus } from "../../sim/fakes/i2cBusServer.js";
import { lcdBox } from "../../sim/lcdTerminal.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import type { ReplayBackend } from "../../sim/replay/replayBackend.js";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { instantS, iso, judgeObservations, truthEdges, type JudgedSample, type TruthEdge, type Verdict } from "./judgement.js";
import type { Scenario } from "./scenario.js";
import { SimulatedBackend } from "./simulatedBackend.js";

/** The box's processes start this long before the capture's first second is played. */
const LEAD_S = 4;
/** After the last record, time for the last samples to reach chrony and the last alarms to settle. */
const GRACE_MS = 4000;

export interface JudgeOptions {
  /** Builds the back end in the run's directory; default: the simulated one. */
  backend?: (dir: string, serviceBaud: number) => Promise<ReplayBackend>;
  /** Each line the service logs, as it comes. */
  onLog?: (line: string) => void;
  /** The LCD each time it changes, as drawn in a terminal. */
  onLcd?: (box: string[]) => void;
}

function libfaketime(): string {
  for (const dir of ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/arm-linux-gnueabihf", "/usr/lib"]) {
    const p = join(dir, "faketime", "libfaketimeMT.so.1");
    if (existsSync(p)) return p;
  }
  throw new Error("this scenario runs the box at the capture's own dates, which needs libfaketime: apt-get install faketime");
}

/** The environment of a box whose clock is `aheadS` seconds ahead of this one (monotonic clocks untouched). */
function boxEnv(aheadS: number): NodeJS.ProcessEnv {
  if (aheadS === 0) return process.env;
  return { ...process.env, LD_PRELOAD: libfaketime(), FAKETIME: `${aheadS >= 0 ? "+" : ""}${aheadS}`, FAKETIME_DONT_FAKE_MONOTONIC: "1", FAKETIME_DONT_RESET: "1" };
}

/**
 * What a sample says, from chrony's log: the second it names (its time on
 * chrony's scale plus the cooked offset) and the host-clock moment it was
 * stamped at (that second minus the raw offset). chrony's own clock may have
 * stepped (a leap second under -x), so the logged time alone is not the stamp.
 */
function sampleTimes(s: ChronyRefclockSample): { labelled: number; stampS: number } {
  const reference = s.localS + s.cookedOffsetS;
  return { labelled: Math.round(reference), stampS: reference - s.rawOffsetS };
}

export async function judgeScenario(sc: Scenario, opts: JudgeOptions = {}): Promise<Verdict> {
  const clock = systemClock();
  const baud = Number(sc.capture.header.baud ?? "9600");
  const first = sc.capture.records[0];
  if (!first) throw new Error(`${sc.capturePath}: the capture has no records`);
  const startS = Math.ceil(clock.realtimeUs() / 1e6) + LEAD_S;
  const mode = sc.clock ?? "shift";
  // shift: the capture moves to now; capture: the box's clock moves to the capture.
  const capture = mode === "shift" ? shiftCapture(sc.capture, startS - first.at.sec) : sc.capture;
  const boxAheadS = mode === "shift" ? 0 : first.at.sec - startS;
  const env = boxEnv(boxAheadS);

  const dir = mkdtempSync(join(tmpdir(), `stratum1-hil-${sc.name}-`));
  const hasPulse = capture.records.some((r) => r.kind === "assert");
  const nmeaSock = join(dir, "nmea.sock");
  const ppsSock = join(dir, "pps.sock");
  const chronyLines = [
    `refclock SOCK ${nmeaSock} refid NMEA poll 2${hasPulse ? " noselect" : ""}`,
    ...(hasPulse ? [`refclock SOCK ${ppsSock} refid PPS poll 2 precision 1e-7`] : []),
    ...(sc.chrony ?? []),
  ];
  let chrony: Chronyd = await startChronyd(dir, chronyLines, { env });
  const backend = await (opts.backend ?? ((d, b) => SimulatedBackend.open(d, b)))(dir, baud);
  const emu = new LcdEmulator(0x27, 16, 2, () => clock.realtimeUs());
  const i2c = await serveI2cBus(join(dir, "i2c.sock"), emu);
  const status = join(dir, "status.json");
  // The host's leap second list is this machine's business, not the box under test's.
  const settings = {
    "chrony.monitor": chrony.monitor,
    "chrony.control": chrony.cmdSocket,
    "capture.socket": join(dir, "capture.sock"),
    "lcd.page": "2",
    "time.leap-list": "off",
    "state.dir": "off",
    ...(sc.service ?? {}),
  };
  const args = [
    "--lcd-socket",
    i2c.path,
    ...backend.serviceArgs(),
    "--baud",
    String(baud),
    "--sock",
    nmeaSock,
    "--pps-sock",
    hasPulse ? ppsSock : "off",
    "--status",
    status,
    ...Object.entries(settings).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
  ];
  const daemon = spawnDaemon(args, opts.onLog, env);

  const screens: string[] = [];
  const alarmsSeen = new Set<string>();
  let lastStatus: StatusSnapshot | undefined;
  const edges: TruthEdge[] = [];
  const notes: string[] = [];
  const watch = setInterval(() => {
    const screen = lcdBox(emu, false)
      .slice(1, -1)
      .map((l) => l.slice(1, -1))
      .join(" | ");
    if (screen !== screens[screens.length - 1]) {
      screens.push(screen);
      opts.onLcd?.(lcdBox(emu, process.stdout.isTTY === true));
    }
    try {
      lastStatus = JSON.parse(readFileSync(status, "utf8")) as StatusSnapshot;
      for (const a of lastStatus.alarms) alarmsSeen.add(a.id);
    } catch {
      // Not written yet, or being replaced this instant.
    }
  }, 200);

  let sources: Awaited<ReturnType<Chronyd["sources"]>> = [];
  let chronySamples: ChronyRefclockSample[] = [];
  try {
    await daemon.waitFor(/serial: .* open at/, 15_000);
    edges.push(...truthEdges(capture.records));
    let edgeIndex = 0;
    const happenings: Array<Promise<void>> = [];
    await playCapture(capture.records, {
      clock,
      boxAheadS,
      backend,
      played: (r, atUs) => {
        if (r.kind === "assert") edges[edgeIndex++]!.deliveredS = atUs / 1e6 + boxAheadS;
      },
      onEvent: (r) => {
        if (r.event === "chrony-restart") {
          const downS = Number(r.args || "0");
          const restart = async (): Promise<void> => {
            await chrony.stop();
            await new Promise((resolve) => setTimeout(resolve, downS * 1000));
            chrony = await startChronyd(dir, chronyLines, { env, cmdPort: Number(chrony.monitor.split(":").pop()) });
          };
          happenings.push(restart());
          notes.push(`chronyd stopped at ${iso(instantS(r))} and started again ${downS} s later`);
        } else if (r.event === "note") notes.push(r.args);
      },
    });
    await Promise.all(happenings);
    await new Promise((r) => setTimeout(r, GRACE_MS));
    sources = await chrony.sources().catch(() => []);
    chronySamples = readdirSync(dir).includes("refclocks.log") ? chrony.refclockSamples() : [];
  } finally {
    clearInterval(watch);
    await daemon.stop();
    writeFileSync(join(dir, "stratum1d.log"), daemon.lines.join("\n") + "\n");
    writeFileSync(join(dir, "lcd.log"), screens.join("\n") + "\n");
    await i2c.close();
    await backend.close();
    await chrony.stop();
  }

  const samples: JudgedSample[] = chronySamples.flatMap((s) => (s.refid === "PPS" || s.refid === "NMEA" ? [{ refid: s.refid, ...sampleTimes(s), rawOffsetS: s.rawOffsetS }] : []));
  const verdict = judgeObservations(sc, {
    samples,
    edges,
    stamps: backend.stamps,
    lines: daemon.lines,
    screens,
    alarmsSeen,
    lastStatus,
    selected: sources.find((x) => x.state === "*")?.name,
    runLines: [
      `capture   ${sc.capturePath} (${sc.capture.header.receiver ?? "receiver not named"}, ${baud} baud, ${capture.records.length} records, ${edges.length} pulse edges)`,
      `replay    ${backend.name}, real time; ${mode === "shift" ? `moved to the current seconds (${startS - first.at.sec >= 0 ? "+" : ""}${startS - first.at.sec} s)` : `the box's clock set to the capture's dates (${boxAheadS >= 0 ? "+" : ""}${boxAheadS} s, libfaketime)`}`,
    ],
    notes,
  });
  if (verdict.ok) rmSync(dir, { recursive: true, force: true });
  return verdict.ok ? verdict : { ...verdict, report: `${verdict.report}\n  (run directory kept: ${dir})` };
}
