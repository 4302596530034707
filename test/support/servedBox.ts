/*
 * The simulated box serving NTP, for the tests that ask it as its clients
 * do: the box's stratum1.conf and its generated chrony.conf (sim/run/box.ts)
 * with chronyd serving on a loopback port, the real stratum1d, a receiver
 * whose story the test decides as it goes (sim/replay/liveReceiver.ts), and
 * every answer the test got kept with what the box itself said at that
 * moment (its panel label), for the report.
 *
 * A box may run at another date than this machine (a leap day): chronyd and
 * stratum1d then run under libfaketime `aheadS` seconds ahead, and the
 * receiver's sentences and pulses are stamped on the same shifted clock.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { startLiveReceiver, type LiveReceiver, type ReceiverState } from "../../sim/replay/liveReceiver.js";
import { startBoxChronyd, writeBoxConfig, type BoxConfig } from "../../sim/run/box.js";
import type { Chronyd } from "../../sim/run/chronyd.js";
import { freeUdpPort } from "../../sim/run/chronydProcess.js";
import { spawnDaemon, type DaemonProcess } from "../../sim/run/daemonProcess.js";
import { openPtyPair, type PtyPair } from "../../sim/run/ptyPair.js";
import { askNtp, type NtpAnswer, type NtpServerAddress, type QueryOptions } from "../../sim/sntpClient.js";
import type { Clock } from "../../src/hal/clock.js";
import { systemClock } from "../../src/hal/linux/systemClock.js";
import type { StatusSnapshot } from "../../src/status/contract.js";

export interface Asked extends NtpAnswer {
  /** The phase of the test's story when it was asked. */
  phase: string;
  /** Seconds since the box started, on the box's clock. */
  atS: number;
  /** The box's own panel label at that moment ("LOCKED PPS", "HOLDOVER 1m"), from its status snapshot. */
  label: string;
}

export interface ServedBox {
  box: BoxConfig;
  chrony: Chronyd;
  daemon: DaemonProcess;
  receiver: LiveReceiver;
  server: NtpServerAddress;
  /** The box's clock (this machine's, shifted by aheadS). */
  clock: Clock;
  startS: number;
  /** Every answer asked through ask(), in order. */
  answers: Asked[];
  phase: string;
  status(): StatusSnapshot | undefined;
  /** One request from 127.0.0.1; null when no answer came within 2 s (recorded as a miss). */
  ask(): Promise<Asked | null>;
  /** Asks every `everyMs` until `done` holds for an answer or `timeoutS` passes; the matching answer, or undefined. */
  askUntil(done: (a: Asked) => boolean, timeoutS: number, everyMs?: number): Promise<Asked | undefined>;
  /** Requests from another loopback address, outside the record (rate limiting). */
  askFrom(localAddress: string, count: number, gapMs: number, opts?: QueryOptions): Promise<{ sent: number; answers: NtpAnswer[] }>;
  misses: Array<{ phase: string; atS: number }>;
  close(): Promise<void>;
}

export interface ServedBoxOptions {
  /** stratum1.conf settings over the simulated box's defaults. */
  settings: Record<string, string>;
  /** A u-blox that says when it vouches for its UTC (NAV-TIMEUTC), or an NMEA-only receiver. */
  vouches: boolean;
  first: ReceiverState;
  /** The box's clock ahead of this machine's, whole seconds (libfaketime). */
  aheadS?: number;
  echo?: (line: string) => void;
}

function libfaketime(): string {
  for (const dir of ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/arm-linux-gnueabihf", "/usr/lib"]) {
    const p = join(dir, "faketime", "libfaketimeMT.so.1");
    if (existsSync(p)) return p;
  }
  throw new Error("a box at another date runs under libfaketime: apt-get install faketime");
}

function shifted(clock: Clock, aheadS: number): Clock {
  return { ...clock, realtimeUs: () => clock.realtimeUs() + aheadS * 1e6 };
}

export async function startServedBox(opts: ServedBoxOptions): Promise<ServedBox> {
  const aheadS = opts.aheadS ?? 0;
  const env: NodeJS.ProcessEnv =
    aheadS === 0 ? process.env : { ...process.env, LD_PRELOAD: libfaketime(), FAKETIME: `${aheadS >= 0 ? "+" : ""}${aheadS}`, FAKETIME_DONT_FAKE_MONOTONIC: "1", FAKETIME_DONT_RESET: "1" };
  const clock = shifted(systemClock(), aheadS);
  const dir = mkdtempSync(join(tmpdir(), "stratum1-ntp-"));
  const box = await writeBoxConfig(dir, opts.settings);
  const port = await freeUdpPort();
  const chrony = await startBoxChronyd(box, { ntpPort: port, env });
  let pty: PtyPair | undefined;
  let daemon: DaemonProcess | undefined;
  let receiver: LiveReceiver | undefined;
  try {
    pty = await openPtyPair(box.paths.device, box.paths.feed);
    const kernel = new FakeKernelPps(box.paths.ppsDir);
    daemon = spawnDaemon(["--config", box.confPath], opts.echo, env);
    await daemon.waitFor(/serial: .* open at/, 15_000);
    const startS = Math.ceil(clock.realtimeUs() / 1e6) + 1;
    receiver = startLiveReceiver({
      capture: splitEpochs(readCapture("neo-m8n.log")),
      feedPath: box.paths.feed,
      kernel,
      clock,
      baud: 9600,
      delayMs: 120,
      vouches: opts.vouches,
      first: opts.first,
      startSecond: startS,
    });
    const server = { host: "127.0.0.1", port };
    const answers: Asked[] = [];
    const misses: Array<{ phase: string; atS: number }> = [];
    const status = (): StatusSnapshot | undefined => {
      try {
        return JSON.parse(readFileSync(box.paths.status, "utf8")) as StatusSnapshot;
      } catch {
        return undefined;
      }
    };
    const nowUs = (): number => clock.realtimeUs();
    const served: ServedBox = {
      box,
      chrony,
      daemon,
      receiver,
      server,
      clock,
      startS,
      answers,
      misses,
      phase: opts.first,
      status,
      async ask() {
        const { answers: got } = await askNtp(server, 1, 0, { nowUs });
        const a = got[0];
        const atS = nowUs() / 1e6 - startS;
        if (!a) {
          misses.push({ phase: served.phase, atS });
          return null;
        }
        const asked: Asked = { ...a, phase: served.phase, atS, label: status()?.summary.text ?? "?" };
        answers.push(asked);
        return asked;
      },
      async askUntil(done, timeoutS, everyMs = 3000) {
        const until = nowUs() / 1e6 + timeoutS;
        while (nowUs() / 1e6 < until) {
          const a = await served.ask();
          if (a && done(a)) return a;
          await new Promise((r) => setTimeout(r, everyMs));
        }
        return undefined;
      },
      askFrom: (localAddress, count, gapMs, q = {}) => askNtp(server, count, gapMs, { nowUs, localAddress, ...q }),
      async close() {
        await receiver?.stop();
        await daemon?.stop();
        await pty?.close();
        await chrony.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return served;
  } catch (err) {
    await receiver?.stop();
    await daemon?.stop();
    await pty?.close();
    await chrony.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One row per answer, for the test's diagnostics and the docs' figures. */
export function answerTable(answers: readonly Asked[]): string {
  const rows = answers.map((a) =>
    [
      a.atS.toFixed(1).padStart(6),
      a.phase.padEnd(12),
      `LI ${a.leap}`,
      `stratum ${String(a.stratum).padStart(2)}`,
      `refid ${(a.kiss ?? a.refid) || "-"}`.padEnd(10),
      `rootdisp ${(a.rootDispersionS * 1e6).toFixed(1).padStart(9)} µs`,
      `rootdelay ${(a.rootDelayS * 1e6).toFixed(1).padStart(9)} µs`,
      `offset ${(a.offsetS * 1e6).toFixed(0).padStart(6)} µs`,
      `delay ${(a.delayS * 1e6).toFixed(0).padStart(6)} µs`,
      a.label,
    ].join("  "),
  );
  return rows.join("\n");
}
