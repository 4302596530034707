/*
 * Composition root: configuration in, real adapters chosen, pipeline wired,
 * timers started. The only place that knows which implementations exist.
 */
import type { Config } from "./config/schema.js";
import type { Clock } from "./hal/clock.js";
import type { ByteSource } from "./hal/byteSource.js";
import type { Logger } from "./log/logger.js";
import { ChronySockSink } from "./refclock/chronySockSink.js";
import { ShmSink } from "./refclock/shmSink.js";
import type { RefclockSink } from "./refclock/sink.js";
import { TimePipeline } from "./pipeline/timePipeline.js";
import { Health } from "./status/health.js";
import { buildSnapshot, SnapshotWriter } from "./status/snapshot.js";
import { FifoGpioLine } from "./hal/fake/fifoGpioLine.js";
import { OnoffGpioLine } from "./hal/linux/onoffGpioLine.js";
import { GpioPulses } from "./pps/gpioPulses.js";
import { KernelPpsSysfs } from "./pps/kernelPpsSysfs.js";
import { PpsService } from "./pps/ppsService.js";
import { PPS_PRECISION } from "./refclock/shmSink.js";
import { ChronyMonitor, chronycRunner } from "./chrony/chronyMonitor.js";
import { HostMonitor } from "./host/hostMonitor.js";
import { FrontPanel } from "./display/frontPanel.js";
import { parsePinMap } from "./display/pcf8574Pins.js";
import { parsePages } from "./display/pages.js";
import type { I2cBus } from "./hal/i2cBus.js";
import { SocketI2cBus } from "./hal/fake/socketI2cBus.js";
import { I2cBusDevice } from "./hal/linux/i2cBusDevice.js";
import { everySecond } from "./hal/secondTicker.js";
import { AlarmTracker, alarmConditions } from "./status/alarms.js";
import type { StatusSnapshot } from "./status/snapshot.js";
import { CaptureTap } from "./capture/captureTap.js";
import type { CaptureHeader } from "./capture/captureFormat.js";

/** Without a byte for this long the epoch is closed and the device reported silent. */
const QUIET_US = 1_500_000;
const SILENT_WARN_US = 5_000_000;
/** The status tick runs this long after each second turns: the panel's clock changes with the second. */
const TICK_OFFSET_MS = 5;

export interface Service {
  health: Health;
  pipeline: TimePipeline;
  sinks: RefclockSink[];
  pps: PpsService | undefined;
  panel: FrontPanel | undefined;
  /** The latest status snapshot (the one written to status.path), alarms included. */
  snapshot(): StatusSnapshot | undefined;
  stop(): Promise<void>;
}

export interface ServiceHooks {
  /** After each second's snapshot (the service manager's watchdog and status line). */
  tick?(snapshot: StatusSnapshot): void;
}

export function startService(cfg: Config, clock: Clock, source: ByteSource, log: Logger, hooks: ServiceHooks = {}): Service {
  const health = new Health();
  const sinks: RefclockSink[] = [];
  if (cfg["chrony.sock"]) sinks.push(new ChronySockSink(cfg["chrony.sock"], log, () => clock.realtimeUs()));
  if (cfg["shm.unit"] !== null) sinks.push(new ShmSink(cfg["shm.unit"], log, () => clock.realtimeUs()));
  if (sinks.length === 0) log.warn("no output configured (chrony.sock and shm.unit are off): samples are computed and shown in the status only");

  const tap = cfg["capture.socket"] ? new CaptureTap(cfg["capture.socket"], log, () => captureHeader(cfg)) : undefined;
  void tap?.start();
  const pps = startPps(cfg, clock, log, () => tap?.recording ?? false);
  if (pps && tap) pps.edgeListeners.push((kind, e) => tap.edge(kind, e.at, e.seq));
  const pipeline = new TimePipeline(health, sinks, log, {
    floorS: Date.parse(cfg["time.floor"] + "T00:00:00Z") / 1000,
    settleEpochs: cfg["time.settle"],
    nowUs: () => clock.realtimeUs(),
    arrivalDelayUs: () => pps?.associator.arrivalDelayUs(),
  });
  if (pps) pipeline.verdictListeners.push((v, e) => pps.verdict(v, e));

  let silentReported = false;
  let lastFailure: string | undefined;
  let startedOpening = false;
  source.start({
    data: (chunk, rxUs) => {
      tap?.serial(chunk, rxUs);
      pipeline.push(chunk, rxUs);
      if (silentReported) {
        silentReported = false;
        log.info(`serial: data flowing again on ${source.path}`);
      }
    },
    device: (state) => {
      const since = state.state === "opening" && health.device.state !== "open" ? health.device.sinceUs : clock.realtimeUs();
      health.device = { ...state, sinceUs: since };
      if (state.state === "open") {
        if (lastFailure !== undefined) tap?.event("replug", clock.realtimeUs());
        lastFailure = undefined;
        log.info(`serial: ${state.detail}`);
      } else if (state.state !== "opening") {
        if (lastFailure === undefined) tap?.event("unplug", clock.realtimeUs());
        pipeline.deviceLost();
        pps?.deviceLost();
        // Retries alternate opening/failing every few seconds: one line per distinct failure, not per attempt.
        if (state.detail !== lastFailure) log.warn(`serial: ${state.detail}; retrying`);
        lastFailure = state.detail;
      } else if (!startedOpening) {
        log.info(`serial: ${state.detail}`);
      }
      startedOpening = true;
    },
  });

  const chrony = cfg["chrony.command"] ? new ChronyMonitor(chronycRunner(cfg["chrony.command"]), clock, log) : undefined;
  chrony?.start();
  const host = new HostMonitor(clock);
  host.start();
  const panel = startPanel(cfg, clock, log);
  const alarms = new AlarmTracker(log);
  const startedUs = clock.realtimeUs();
  let latest: StatusSnapshot | undefined;

  const writer = cfg["status.path"] ? new SnapshotWriter(cfg["status.path"]) : undefined;
  let writeError: string | null = null;
  const stopTick = everySecond(clock, TICK_OFFSET_MS, () => {
    const now = clock.realtimeUs();
    pipeline.idle(now, QUIET_US);
    const lastBytes = health.last.bytesUs ?? health.device.sinceUs;
    if (health.device.state === "open" && !silentReported && now - lastBytes > SILENT_WARN_US) {
      silentReported = true;
      log.warn(`serial: no data from ${source.path} for ${Math.round((now - lastBytes) / 1e6)} s: receiver powered? TX wired to the Pi's RX?`);
    }
    const snap = buildSnapshot(
      { health, device: { path: source.path, baud: cfg["serial.baud"] }, sinks, pps: pps?.status() ?? null, chrony: chrony?.status() ?? null, host: host.status(), lcd: panel?.status() ?? null, startedUs, statusWriteError: writeError },
      now,
    );
    snap.alarms = alarms.update(alarmConditions(snap, now), now);
    latest = snap;
    panel?.show(snap);
    hooks.tick?.(snap);
    if (writer) {
      writer.write(snap).then(
        () => (writeError = null),
        (err: Error) => {
          if (writeError === null) log.warn(`status: cannot write ${cfg["status.path"]}: ${err.message}`);
          writeError = err.message;
        },
      );
    }
  });
  const stopReports = clock.every(60_000, () => pipeline.flushReports(60));

  return {
    health,
    pipeline,
    sinks,
    pps,
    panel,
    snapshot: () => latest,
    async stop() {
      stopTick();
      stopReports();
      chrony?.stop();
      host.stop();
      await panel?.stop();
      pps?.stop();
      await tap?.close();
      await source.stop();
      for (const s of sinks) s.close();
    },
  };
}

/** What the service knows of its set-up, at the head of every recording (the recorder adds the host's side). */
function captureHeader(cfg: Config): CaptureHeader {
  return {
    baud: String(cfg["serial.baud"]),
    serial: cfg["serial.path"],
    pps: cfg["pps.sysfs"] ?? (cfg["pps.gpio"] !== null ? `gpio ${cfg["pps.gpio"]} (user-space stamps)` : "none"),
    "pps-edge": cfg["pps.edge"],
  };
}

/** The front panel, from config: the Linux I2C bus, or an emulated one in simulation. */
function startPanel(cfg: Config, clock: Clock, log: Logger): FrontPanel | undefined {
  let bus: I2cBus;
  if (cfg["lcd.i2c-socket"]) bus = new SocketI2cBus(cfg["lcd.i2c-socket"]);
  else if (cfg["lcd.bus"] !== null) bus = new I2cBusDevice(cfg["lcd.bus"]);
  else return undefined;
  const [cols, rows] = cfg["lcd.size"].split("x").map(Number) as [number, number];
  return new FrontPanel(bus, clock, log, {
    address: cfg["lcd.address"],
    pins: parsePinMap(cfg["lcd.pins"])!,
    geometry: { cols, rows },
    pageS: cfg["lcd.page"],
    pages: parsePages(cfg["lcd.pages"])!,
    delayUs: (us) => new Promise((resolve) => clock.after(us / 1000, resolve)),
  });
}

/** The pulse side, from config: kernel PPS and/or a GPIO watch, and where labelled pulses go. */
function startPps(cfg: Config, clock: Clock, log: Logger, recording: () => boolean): PpsService | undefined {
  const gpioLine = cfg["pps.gpio-fifo"] ? new FifoGpioLine(cfg["pps.gpio-fifo"]) : cfg["pps.gpio"] !== null ? new OnoffGpioLine(cfg["pps.gpio"]) : undefined;
  const gpio = gpioLine ? new GpioPulses(gpioLine, clock) : undefined;
  const kernel = cfg["pps.sysfs"] ? new KernelPpsSysfs(cfg["pps.sysfs"], clock, recording) : undefined;
  // The kernel's stamps are labelled when there are any; a GPIO watch beside them only cross-checks.
  const primary = kernel ?? gpio;
  if (!primary) return undefined;
  const secondary = kernel ? gpio : undefined;
  const sinks: RefclockSink[] = [];
  if (cfg["pps.sock"]) sinks.push(new ChronySockSink(cfg["pps.sock"], log, () => clock.realtimeUs()));
  if (cfg["pps.shm"] !== null) sinks.push(new ShmSink(cfg["pps.shm"], log, () => clock.realtimeUs(), PPS_PRECISION));
  if (sinks.length === 0) log.info("pps: no pulse output (pps.sock and pps.shm off): watching the pulse only, e.g. for chrony's 'refclock PPS /dev/pps0 lock NMEA'");
  const service = new PpsService(primary, secondary, sinks, clock, log, { edge: cfg["pps.edge"], holdoverS: cfg["pps.holdover"] });
  service.start();
  return service;
}
