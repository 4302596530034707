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

/** Without a byte for this long the epoch is closed and the device reported silent. */
const QUIET_US = 1_500_000;
const SILENT_WARN_US = 5_000_000;

export interface Service {
  health: Health;
  pipeline: TimePipeline;
  sinks: RefclockSink[];
  stop(): Promise<void>;
}

export function startService(cfg: Config, clock: Clock, source: ByteSource, log: Logger): Service {
  const health = new Health();
  const sinks: RefclockSink[] = [];
  if (cfg["chrony.sock"]) sinks.push(new ChronySockSink(cfg["chrony.sock"], log, () => clock.realtimeUs()));
  if (cfg["shm.unit"] !== null) sinks.push(new ShmSink(cfg["shm.unit"], log, () => clock.realtimeUs()));
  if (sinks.length === 0) log.warn("no output configured (chrony.sock and shm.unit are off): samples are computed and shown in the status only");

  const pipeline = new TimePipeline(health, sinks, log, {
    floorS: Date.parse(cfg["time.floor"] + "T00:00:00Z") / 1000,
    settleEpochs: cfg["time.settle"],
    nowUs: () => clock.realtimeUs(),
  });

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
      writer.write(buildSnapshot(health, { path: source.path, baud: cfg["serial.baud"] }, sinks, now)).then(
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
    async stop() {
      stopTick();
      stopReports();
      await source.stop();
      for (const s of sinks) s.close();
    },
  };
}
