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

/** Without a byte for this long the epoch is closed and the device reported silent. */
const QUIET_US = 1_500_000;
const SILENT_WARN_US = 5_000_000;

export interface Service {
  health: Health;
  pipeline: TimePipeline;
  sinks: RefclockSink[];
  pps: PpsService | undefined;
  stop(): Promise<void>;
}

export function startService(cfg: Config, clock: Clock, source: ByteSource, log: Logger): Service {
  const health = new Health();
  const sinks: RefclockSink[] = [];
  if (cfg["chrony.sock"]) sinks.push(new ChronySockSink(cfg["chrony.sock"], log, () => clock.realtimeUs()));
  if (cfg["shm.unit"] !== null) sinks.push(new ShmSink(cfg["shm.unit"], log, () => clock.realtimeUs()));
  if (sinks.length === 0) log.warn("no output configured (chrony.sock and shm.unit are off): samples are computed and shown in the status only");

  const pps = startPps(cfg, clock, log);
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
        lastFailure = undefined;
        log.info(`serial: ${state.detail}`);
      } else if (state.state !== "opening") {
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

  const writer = cfg["status.path"] ? new SnapshotWriter(cfg["status.path"]) : undefined;
  let writeFailed = false;
  const stopTick = clock.every(1000, () => {
    const now = clock.realtimeUs();
    pipeline.idle(now, QUIET_US);
    const lastBytes = health.last.bytesUs ?? health.device.sinceUs;
    if (health.device.state === "open" && !silentReported && now - lastBytes > SILENT_WARN_US) {
      silentReported = true;
      log.warn(`serial: no data from ${source.path} for ${Math.round((now - lastBytes) / 1e6)} s: receiver powered? TX wired to the Pi's RX?`);
    }
    if (writer) {
      writer.write(buildSnapshot(health, { path: source.path, baud: cfg["serial.baud"] }, sinks, pps?.status() ?? null, now)).then(
        () => (writeFailed = false),
        (err: Error) => {
          if (!writeFailed) log.warn(`status: cannot write ${cfg["status.path"]}: ${err.message}`);
          writeFailed = true;
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
    async stop() {
      stopTick();
      stopReports();
      pps?.stop();
      await source.stop();
      for (const s of sinks) s.close();
    },
  };
}

/** The pulse side, from config: kernel PPS and/or a GPIO watch, and where labelled pulses go. */
function startPps(cfg: Config, clock: Clock, log: Logger): PpsService | undefined {
  const gpioLine = cfg["pps.gpio-fifo"] ? new FifoGpioLine(cfg["pps.gpio-fifo"]) : cfg["pps.gpio"] !== null ? new OnoffGpioLine(cfg["pps.gpio"]) : undefined;
  const gpio = gpioLine ? new GpioPulses(gpioLine, clock) : undefined;
  const kernel = cfg["pps.sysfs"] ? new KernelPpsSysfs(cfg["pps.sysfs"], clock) : undefined;
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
