/*
 * Composition root: configuration and hardware in, pipeline wired, timers
 * started. It never chooses between real and fake: the entry point that built
 * `hardware` did (cli/stratum1d.ts the Linux set, sim/ the simulated ones), so
 * this one wiring runs on the box, in the simulator, in the harness and in
 * virtual-time tests.
 */
import { openingBaud, type Config } from "./config/schema.js";
import type { Clock } from "./hal/clock.js";
import type { DeviceState } from "./hal/byteSource.js";
import type { Hardware } from "./hal/hardware.js";
import type { Logger } from "./log/logger.js";
import { ChronySockSink } from "./refclock/chronySockSink.js";
import { ShmSink } from "./refclock/shmSink.js";
import type { RefclockSink } from "./refclock/sink.js";
import { readHold } from "./pipeline/readHold.js";
import { TimePipeline } from "./pipeline/timePipeline.js";
import { SKY_SAMPLE_US } from "./gnss/skySampler.js";
import { SkyViewCache } from "./gnss/skyView.js";
import type { ReceiverLink } from "./hal/receiverLink.js";
import { Health } from "./status/health.js";
import { buildSnapshot } from "./status/snapshot.js";
import { SnapshotWriter } from "./status/snapshotWriter.js";
import { FaultLog } from "./status/faults.js";
import { GpioPulses } from "./pps/gpioPulses.js";
import { PpsService } from "./pps/ppsService.js";
import { PPS_PRECISION } from "./refclock/shmSink.js";
import { sockLayout } from "./refclock/sockSample.js";
import { ChronyMonitor } from "./chrony/chronyMonitor.js";
import { ChronyReader } from "./chrony/cmdmon/chronyReader.js";
import { CmdmonClient } from "./chrony/cmdmon/client.js";
import { HostMonitor } from "./host/hostMonitor.js";
import { NeighbourWatch } from "./status/neighbours.js";
import { UPDATE_STATUS_PATH } from "./update/updateStatus.js";
import { FrontPanel } from "./display/frontPanel.js";
import { panelOptions } from "./display/panelOptions.js";
import { everySecond } from "./timing/secondTicker.js";
import { AlarmTracker } from "./status/alarms.js";
import type { ChronyStatus, StatusSnapshot } from "./status/contract.js";
import { CaptureTap } from "./capture/captureTap.js";
import { ControlServer, type ControlHandlers } from "./control/controlServer.js";
import type { CaptureHeader } from "./capture/captureFormat.js";
import { statusLine } from "./status/statusLine.js";
import { holdoverPower, pulseSetup } from "./chrony/chronyConf.js";
import { ClockStepWatch } from "./timing/clockSteps.js";
import { HoldoverWatch } from "./timing/holdoverWatch.js";
import { receiverSettings } from "./gnss/control/gpsKeys.js";
import { ReceiverSupervisor } from "./gnss/control/receiverSupervisor.js";
import { clockIsVerified } from "./timing/verifiedClock.js";
import { EdgeDirection } from "./timing/edgeDirection.js";
import { EdgeMemoryFile } from "./timing/edgeMemoryFile.js";
import { LeapListFile } from "./timing/leapListFile.js";
import { LeapStatusCache } from "./timing/leapStatus.js";
import { Exposition } from "./metrics/exposition.js";
import { MetricsEndpoint } from "./metrics/metricsEndpoint.js";

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
  /** http://metrics.listen/metrics, when configured. */
  metrics: MetricsEndpoint | undefined;
  /** The latest status snapshot (the one written to status.path), alarms included. */
  snapshot(): StatusSnapshot | undefined;
  stop(): Promise<void>;
}

export function startService(cfg: Config, hardware: Hardware, clock: Clock, log: Logger): Service {
  const health = new Health();
  const faults = new FaultLog(log, () => clock.realtimeUs());
  const sinks: RefclockSink[] = [];
  const layout = sockLayout(hardware.timeTBytes);
  const nowUs = (): number => clock.realtimeUs();
  if (cfg["chrony.sock"]) sinks.push(new ChronySockSink(cfg["chrony.sock"], hardware.datagrams, layout, log, nowUs));
  if (cfg["shm.unit"] !== null) sinks.push(new ShmSink(cfg["shm.unit"], hardware.shm, log, nowUs));
  if (sinks.length === 0) log.warn("no output configured (chrony.sock and shm.unit are off): samples are computed and shown in the status only");

  const source = hardware.serial;
  const tap = cfg["capture.socket"] ? new CaptureTap(cfg["capture.socket"], log, () => captureHeader(cfg, hardware), clock) : undefined;
  void tap?.start();
  const direction = new EdgeDirection({
    mode: cfg["pps.edge"],
    clockVerified: () => clockIsVerified(chrony?.status().tracking),
    receiver: () => receiverName(health, source.path),
    ...(cfg["state.dir"]
      ? {
          memory: new EdgeMemoryFile(
            cfg["state.dir"],
            () => new Date(clock.realtimeUs() / 1000).toISOString(),
            (l) => log.warn(l),
          ),
        }
      : {}),
    log: (level, line) => log[level](line),
  });
  // TIM-TP's quantisation error, filed by the pipeline, taken by the pulse it describes.
  const qErrFor = (utcSecond: number): number | undefined => pipeline.qErr.take(utcSecond);
  const pps = startPps(cfg, hardware, clock, log, faults, { direction, qErrFor }, () => tap?.recording ?? false);
  if (pps && tap) pps.edgeListeners.push((kind, e) => tap.edge(kind, e.at, e.seq));
  const pipeline = new TimePipeline(health, sinks, log, {
    floorS: Date.parse(cfg["time.floor"] + "T00:00:00Z") / 1000,
    settleEpochs: cfg["time.settle"],
    nowUs,
    arrivalDelayUs: () => pps?.associator.arrivalDelayUs(),
    utcHoldoffS: cfg["time.utc-holdoff"],
    verifiedClockAgrees: (utcS, rxUs) => verifiedClockAgrees(chrony?.status(), utcS, rxUs),
    ...(hardware.lineRun ? { lineRun: hardware.lineRun } : {}),
    skySampleUs: SKY_SAMPLE_US,
  });
  const leapList = cfg["time.leap-list"] ? new LeapListFile(cfg["time.leap-list"], clock) : undefined;
  leapList?.start();
  if (pps) pipeline.verdictListeners.push((v, e) => pps.verdict(v, e));

  // Checked before every stamp is used: a step makes pairs of stamps across it meaningless.
  const steps = new ClockStepWatch(clock);
  const checkStep = (): void => {
    const stepUs = steps.check();
    if (stepUs === undefined) return;
    health.counts.clockSteps += 1;
    log.warn(
      `clock: the system clock was stepped by ${stepUs > 0 ? "+" : ""}${(stepUs / 1e6).toFixed(3)} s (chrony's makestep, a manual date, or a kernel leap second): pulses and words are paired afresh, nothing stamped across the step is sent`,
    );
    pipeline.clockStepped();
    pps?.clockStepped(stepUs);
  };
  if (pps) pps.edgeListeners.unshift(() => checkStep());

  // How long the serial source may hold reads: short while words are wanted soon (pipeline/readHold.ts).
  const chronyPairsPulse = pulseSetup(cfg).kind === "kernel";
  let lastWriteMs = -Infinity;
  const holdReads = (): void => {
    const hold = readHold({ chronyPairsPulse, pulseWatched: pps !== undefined, sinceWriteMs: clock.monotonicMs() - lastWriteMs });
    source.holdFor?.(hold.ms, hold.takenAtTick);
  };
  const link = hardware.receiverLink
    ? noteWrites(hardware.receiverLink, () => {
        lastWriteMs = clock.monotonicMs();
        holdReads();
      })
    : undefined;

  // The box talks to the receiver where the hardware lets it: identify, find the rate, configure for timing.
  const gps = link
    ? new ReceiverSupervisor({
        link,
        clock,
        log,
        settings: receiverSettings(cfg, undefined),
        configuredBaud: cfg["serial.baud"],
        stateDir: cfg["state.dir"],
      })
    : undefined;
  if (gps) pipeline.traffic = gps.control;
  const control = cfg["control.socket"] ? new ControlServer(cfg["control.socket"], gpsRequests(gps), log, clock) : undefined;
  void control?.start();

  let batchLeft = 0;
  let gpsStarted = false;
  let silentReported = false;
  let lastFailure: string | undefined;
  let startedOpening = false;
  source.start({
    // A batch's reads were all read before it is handed over: one check covers them.
    batch: faults.guard("serial batch", (count: number) => {
      checkStep();
      batchLeft = count;
    }),
    data: faults.guard("serial data", (chunk: Buffer, rxUs: number) => {
      if (batchLeft > 0) batchLeft--;
      else checkStep();
      tap?.serial(chunk, rxUs);
      pipeline.push(chunk, rxUs);
      if (silentReported) {
        silentReported = false;
        log.info(`serial: data flowing again on ${source.path}`);
      }
    }),
    device: faults.guard("serial device", (state: DeviceState) => {
      const since = state.state === "opening" && health.device.state !== "open" ? health.device.sinceUs : clock.realtimeUs();
      health.device = { ...state, sinceUs: since };
      if (state.state === "open") {
        if (lastFailure !== undefined) tap?.event("replug", clock.realtimeUs());
        // Talk to the receiver once the port is there; a reopened port may hold another receiver, or one reset to its defaults: find out again.
        if (!gpsStarted) gps?.start();
        else if (lastFailure !== undefined) gps?.restart("the serial device was reopened");
        gpsStarted = true;
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
    }),
  });

  const chrony = chronyMonitor(hardware, clock, log);
  chrony?.start();
  const host = new HostMonitor(clock, hardware.host);
  host.start();
  // The fleet gate's state only on a box in a fleet: elsewhere a file left in /run by an earlier set-up means nothing.
  const neighbours = hardware.stateFiles
    ? new NeighbourWatch(hardware.stateFiles, { fleet: cfg["fleet.gate"] === "on" ? cfg["fleet.status"] : null, update: UPDATE_STATUS_PATH }, (m) => log.warn(m))
    : undefined;
  const panel = hardware.i2c ? new FrontPanel(hardware.i2c, clock, log, panelOptions(cfg, clock)) : undefined;
  const alarms = new AlarmTracker(log);
  const leapView = new LeapStatusCache();
  const skyViews = new SkyViewCache();
  const holdover = new HoldoverWatch(holdoverPower(cfg)?.seconds ?? null);
  const startedUs = clock.realtimeUs();
  let latest: StatusSnapshot | undefined;
  const manager = hardware.serviceManager;
  // Rendered from the latest snapshot at each scrape: Prometheus reads what the panel and stratum1ctl read.
  const listen = cfg["metrics.listen"];
  const metrics = listen ? new MetricsEndpoint({ listen, allow: cfg["metrics.allow"] }, new Exposition(), () => latest, clock, log) : undefined;
  void metrics?.start();

  const writer = cfg["status.path"] ? new SnapshotWriter(cfg["status.path"]) : undefined;
  let writeError: string | null = null;
  const stopTick = everySecond(
    clock,
    TICK_OFFSET_MS,
    faults.guard("status tick", () => {
      // The reads held for the tick (pipeline/readHold.ts), before anything below looks at what they say.
      source.takeHeld?.();
      checkStep();
      const now = clock.realtimeUs();
      pipeline.idle(now, QUIET_US);
      holdReads();
      const lastBytes = health.last.bytesUs ?? health.device.sinceUs;
      if (health.device.state === "open" && !silentReported && now - lastBytes > SILENT_WARN_US) {
        silentReported = true;
        log.warn(`serial: no data from ${source.path} for ${Math.round((now - lastBytes) / 1e6)} s: receiver powered? TX wired to the Pi's RX?`);
      }
      neighbours?.poll();
      const parts = {
        health,
        device: { path: source.path, baud: hardware.receiverLink?.baud ?? openingBaud(cfg["serial.baud"]) },
        sinks,
        pps: pps?.status() ?? null,
        chrony: chrony?.status() ?? null,
        host: host.status(),
        lcd: panel?.status() ?? null,
        leap: leapView.get(pipeline.leap, leapList, Math.floor(now / 1e6)),
        gpsControl: gps?.view(now) ?? null,
        gnssLimits: { jammingLevel: cfg["gps.jamming-level"], spoofingAlarm: cfg["gps.spoofing-alarm"] === "on", networkLimitMs: cfg["gps.network-limit"] },
        holdover: holdover.update(now, (refid) => lastDelivery(refid === "PPS" && pps?.sinks.length ? pps.sinks : sinks), chrony?.status().tracking),
        utcHoldoffLeftS: pipeline.utcTrust.leftS(now),
        startedUs,
        statusWriteError: writeError,
        faults: faults.snapshot(),
        control: control?.status() ?? null,
        fleet: neighbours?.fleet(now) ?? null,
        update: neighbours?.update() ?? null,
        skyViews,
      };
      const snap = buildSnapshot(parts, now, alarms);
      latest = snap;
      panel?.show(snap);
      manager?.watchdog();
      manager?.status(statusLine(snap));
      if (writer) {
        try {
          writer.write(snap);
          writeError = null;
        } catch (err) {
          if (writeError === null) log.warn(`status: cannot write ${cfg["status.path"]}: ${(err as Error).message}`);
          writeError = (err as Error).message;
        }
      }
    }),
  );
  const stopReports = clock.every(60_000, () => pipeline.flushReports(60));
  // Up means configured and reading: the GPS may take minutes to a fix, which the status line tells.
  manager?.ready("waiting for GPS");
  if (manager?.watchdogMs) log.info(`systemd watchdog: pinging every second from the status tick (WatchdogSec ${manager.watchdogMs / 1000} s)`);

  return {
    health,
    pipeline,
    sinks,
    pps,
    panel,
    metrics,
    snapshot: () => latest,
    async stop() {
      manager?.stopping();
      stopTick();
      stopReports();
      chrony?.stop();
      gps?.stop();
      leapList?.stop();
      host.stop();
      await metrics?.close();
      await panel?.stop();
      pps?.stop();
      await tap?.close();
      await control?.close();
      await source.stop();
      for (const s of sinks) s.close();
      hardware.datagrams.close();
      hardware.chrony?.monitoring?.close();
      hardware.chrony?.control?.close();
    },
  };
}

/** stratum1ctl gps config, answered by receiver control; a box that cannot talk to its receiver says so. */
function gpsRequests(gps: ReceiverSupervisor | undefined): ControlHandlers {
  const noLink = { ok: false, error: "the service cannot talk to this receiver (it only listens, as under a replay or a byte-stream simulator): nothing to read back or save" } as const;
  return {
    "gps-config-show": async () => (gps ? { ok: true, request: "gps-config-show", items: await gps.readBack() } : noLink),
    "gps-config-save": async () => (gps ? { ok: true, request: "gps-config-save", result: await gps.saveToFlash() } : noLink),
  };
}

/** When any of these sinks last delivered a sample to chrony (or ntpd). */
function lastDelivery(sinks: readonly RefclockSink[]): number | undefined {
  const times = sinks.map((s) => s.status().lastDeliveredUs).filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/**
 * A verified host clock agrees with an epoch: the host's time when the
 * epoch's first word was read lies in the second the epoch names (words come
 * after the edge they describe, within its second; 20 ms of slack for the
 * verified clock's own error). A receiver a second behind reads as 1.x s late
 * and is refused, however short its delay.
 */
function verifiedClockAgrees(chrony: ChronyStatus | undefined, utcS: number, rxUs: number): boolean {
  if (!clockIsVerified(chrony?.tracking)) return false;
  const sinceS = rxUs / 1e6 - utcS;
  return sinceS > -0.02 && sinceS < 1;
}

/** The receiver as it names itself (model and firmware), else by its port: the key its verified pulse direction is kept under. */
function receiverName(health: Health, path: string): string {
  const r = health.receiver;
  const named = r ? [r.vendor, r.model, r.firmware].filter((x) => x).join(" ") : "";
  return named || `the receiver on ${path}`;
}

/** What the service knows of its set-up, at the head of every recording (the recorder adds the host's side). */
function captureHeader(cfg: Config, hardware: Hardware): CaptureHeader {
  const pulse = hardware.kernelPps?.name ?? (hardware.gpioPps ? `${hardware.gpioPps.name} (user-space stamps)` : "none");
  return { baud: String(cfg["serial.baud"]), serial: hardware.serial.path, pps: pulse, "pps-edge": cfg["pps.edge"] };
}

/** chrony's figures over the command sockets the hardware holds: monitoring requests over UDP, the rest over the control socket. */
function chronyMonitor(hardware: Hardware, clock: Clock, log: Logger): ChronyMonitor | undefined {
  const { monitoring, control } = hardware.chrony ?? {};
  if (!monitoring && !control) return undefined;
  const reader = new ChronyReader({
    ...(monitoring ? { monitoring: new CmdmonClient(monitoring, clock) } : {}),
    ...(control ? { control: new CmdmonClient(control, clock) } : {}),
  });
  return new ChronyMonitor(reader, clock, log);
}

/** The receiver link, calling `wrote` before each write: replies are awaited after one. */
function noteWrites(link: ReceiverLink, wrote: () => void): ReceiverLink {
  return {
    write(bytes: Buffer): Promise<void> {
      wrote();
      return link.write(bytes);
    },
    setBaud: (baud: number) => link.setBaud(baud),
    get baud(): number {
      return link.baud;
    },
  };
}

/** The pulse side: the kernel's and/or a GPIO watch, and where labelled pulses go. */
function startPps(
  cfg: Config,
  hardware: Hardware,
  clock: Clock,
  log: Logger,
  faults: FaultLog,
  pulse: { direction: EdgeDirection; qErrFor: (utcSecond: number) => number | undefined },
  recording: () => boolean,
): PpsService | undefined {
  const gpio = hardware.gpioPps ? new GpioPulses(hardware.gpioPps, clock) : undefined;
  const kernel = hardware.kernelPps;
  // The kernel's stamps are labelled when there are any; a GPIO watch beside them only cross-checks.
  const primary = kernel ?? gpio;
  if (!primary) return undefined;
  const secondary = kernel ? gpio : undefined;
  const sinks: RefclockSink[] = [];
  const nowUs = (): number => clock.realtimeUs();
  if (cfg["pps.sock"]) sinks.push(new ChronySockSink(cfg["pps.sock"], hardware.datagrams, sockLayout(hardware.timeTBytes), log, nowUs));
  if (cfg["pps.shm"] !== null) sinks.push(new ShmSink(cfg["pps.shm"], hardware.shm, log, nowUs, PPS_PRECISION));
  if (sinks.length === 0) log.info("pps: no pulse output (pps.sock and pps.shm off): watching the pulse only, e.g. for chrony's 'refclock PPS /dev/pps0 lock NMEA'");
  const service = new PpsService(primary, secondary, sinks, clock, log, { edge: cfg["pps.edge"], ...pulse, holdoverS: cfg["pps.holdover"], recording, guard: (where, fn) => faults.guard(where, fn) });
  service.start();
  return service;
}
