/*
 * The whole appliance in virtual time: the product's startService, with the
 * fakes of sim/fakes passed in as its hardware, on a VirtualClock. Serial
 * bytes come from a scripted line, pulses from a sysfs-shaped kernel PPS
 * directory read by the real sysfs reader, the LCD is the byte-level
 * emulator, chrony's SOCK sockets are collected and fed to a small chronyd
 * model that answers the service's chrony queries. An hour of the real
 * service (its pipeline, association, alarms, panel and status) runs in
 * seconds, and the same way every time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { holdoverPower } from "../../src/chrony/chronyConf.js";
import { applySetting, ConfigError } from "../../src/config/load.js";
import { defaults, openingBaud, type Config } from "../../src/config/schema.js";
import type { Hardware } from "../../src/hal/hardware.js";
import { KernelPpsSysfs } from "../../src/hal/linux/kernelPpsSysfs.js";
import { createLogger } from "../../src/log/logger.js";
import { startService, type Service } from "../../src/main.js";
import type { StatusSnapshot } from "../../src/status/contract.js";
import { ChronyModel, type ModelRefclock, type ModelUpstream } from "../fakes/chronyModel.js";
import { CollectingDatagrams } from "../fakes/collectingDatagrams.js";
import { FakeKernelPps } from "../fakes/fakeKernelPps.js";
import { fixedHostProbe } from "../fakes/fixedHostProbe.js";
import { LcdEmulator } from "../fakes/lcdEmulator.js";
import { MemoryShm } from "../fakes/memoryShm.js";
import { VirtualClock } from "../fakes/virtualClock.js";
import { VirtualSerial } from "../fakes/virtualSerial.js";
import { lcdBox } from "../lcdTerminal.js";
import type { SimulatedReceiver } from "../receivers/simulatedReceiver.js";
import type { SkyState } from "../receivers/skyState.js";
import { WiredReceiver } from "./wiredReceiver.js";

export interface VirtualBoxOptions {
  /** True time at which the box starts, µs. */
  startUs: number;
  /** stratum1.conf settings (key → value as written in the file), over the defaults. */
  settings?: Record<string, string>;
  /** A kernel PPS device (default true). */
  kernelPps?: boolean;
  /** The LCD's size, or false for none (default: lcd.size). */
  lcd?: boolean;
  /** A chronyd model answering the service's chrony queries (default true). */
  chrony?: boolean;
  /** An NTP server the chronyd model is synchronised to while no refclock is selectable (a box with network servers). */
  upstream?: ModelUpstream;
  /** The host clock's error: CLOCK_REALTIME reads true time plus this, µs. */
  hostErrorUs?: number;
  /** A simulated receiver (sim/receivers) on the serial line and the pulse input, which the service can talk to. */
  receiver?: SimulatedReceiver;
  /** What that receiver sees at the start (default: a good fix). */
  sky?: SkyState;
  /** A state.dir the test owns (kept across boxes, as /data is across reboots); default: none. */
  stateDir?: string;
}

export interface VirtualBox {
  cfg: Config;
  clock: VirtualClock;
  service: Service;
  serial: VirtualSerial;
  kernel: FakeKernelPps | undefined;
  lcd: LcdEmulator | undefined;
  datagrams: CollectingDatagrams;
  shm: MemoryShm;
  chrony: ChronyModel | undefined;
  /** The simulated receiver on the wire, when the box was given one. */
  receiver: WiredReceiver | undefined;
  /** Every line the service logged, with its priority prefix. */
  log: string[];
  /** The latest status snapshot. */
  status(): StatusSnapshot;
  /** The LCD's rows joined by " | ", glyphs as look-alike characters (¤ ✓ Ψ !). */
  screen(): string;
  /** Stops the service and removes the box's files. */
  close(): Promise<void>;
}

/** The refclocks a chrony.conf generated for this config would have, in selection order. */
function refclocksFor(cfg: Config): ModelRefclock[] {
  const out: ModelRefclock[] = [];
  const pps = cfg["pps.sock"];
  if (pps) out.push({ refid: "PPS", path: pps, noselect: false, pollS: 4 });
  if (cfg["chrony.sock"]) out.push({ refid: "NMEA", path: cfg["chrony.sock"], noselect: pps !== null, pollS: 4 });
  return out;
}

export function startVirtualBox(opts: VirtualBoxOptions): VirtualBox {
  const cfg = defaults();
  const problems: string[] = [];
  // A box in memory writes no files and listens on no sockets unless the test asks.
  // The host's leap second list is the host's business, not the box under test's (a test that checks it names one).
  const settings = { "status.path": "off", "capture.socket": "off", "control.socket": "off", "state.dir": opts.stateDir ?? "off", "time.leap-list": "off", ...(opts.settings ?? {}) };
  for (const [k, v] of Object.entries(settings)) applySetting(cfg, k, v, `setting ${k}`, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const clock = new VirtualClock(opts.startUs);
  clock.hostOffsetUs = opts.hostErrorUs ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "stratum1-vbox-"));
  const nowUs = (): number => clock.realtimeUs();
  const serial = new VirtualSerial(cfg["serial.path"], clock, openingBaud(cfg["serial.baud"]));
  const datagrams = new CollectingDatagrams(nowUs);
  const shm = new MemoryShm();
  const kernel = opts.kernelPps === false ? undefined : new FakeKernelPps(join(dir, "pps0"));
  const [cols, rows] = cfg["lcd.size"].split("x").map(Number) as [number, number];
  // A write takes its time on the wire, as the real i2c-dev write blocks the loop that long.
  const lcd = opts.lcd === false ? undefined : new LcdEmulator(cfg["lcd.address"] === "auto" ? 0x27 : cfg["lcd.address"], cols, rows, nowUs, undefined, (us) => void (clock.nowUs += us));
  const chrony = opts.chrony === false ? undefined : new ChronyModel(clock, refclocksFor(cfg), opts.upstream, holdoverPower(cfg)?.seconds);
  chrony?.listen(datagrams);
  const hardware: Hardware = { serial, datagrams, timeTBytes: 8, shm, host: fixedHostProbe(clock) };
  if (kernel) hardware.kernelPps = new KernelPpsSysfs(kernel.dir, clock);
  if (lcd) hardware.i2c = lcd;
  if (chrony) hardware.chrony = chrony.channels();
  const receiver = opts.receiver ? new WiredReceiver(clock, opts.receiver, serial, kernel, { hostBaud: openingBaud(cfg["serial.baud"]), ...(opts.sky ? { sky: opts.sky } : {}) }) : undefined;
  if (receiver) hardware.receiverLink = receiver.port;
  const log: string[] = [];
  const service = startService(
    cfg,
    hardware,
    clock,
    createLogger((l) => log.push(l), cfg["log.level"]),
  );
  receiver?.start();
  return {
    cfg,
    clock,
    service,
    serial,
    kernel,
    lcd,
    datagrams,
    shm,
    chrony,
    receiver,
    log,
    status() {
      const s = service.snapshot();
      if (!s) throw new Error("no status snapshot yet: run the clock past the first second");
      return s;
    },
    screen: () =>
      lcd
        ? lcdBox(lcd, false)
            .slice(1, -1)
            .map((l) => l.slice(1, -1))
            .join(" | ")
        : "",
    async close() {
      // The panel's last words wait on its bus timings: virtual time must run for the stop to finish.
      let stopped = false;
      receiver?.stop();
      const stopping = service.stop().then(() => (stopped = true));
      for (let i = 0; i < 100 && !stopped; i++) await clock.runFor(100);
      await stopping;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
