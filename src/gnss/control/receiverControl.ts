/*
 * Receiver control: the small state machine that drives the receiver.
 *
 *                 ┌──────────── nothing decodes ────────────┐
 *                 ▼                                          │
 *   start ─► identifying ──► (changing-baud) ──► configuring ─► verifying ─► surveying ─► ready
 *     ▲          │  no answer, NMEA flows ─► listening            │ mismatch     │ done        │
 *     │          └─ silence/noise ─► finding-baud ─► identifying   ▼              ▼             │
 *     │                                 └─ none ─► no-receiver (retry)   (re-identify, once)   │
 *     └──── output no longer matches (a reset lost the RAM settings), noise (the receiver
 *           fell back to its default rate), traffic after silence (a replug), restart() ◄───┘
 *
 * Everything waits on the injected Clock; everything it learns arrives
 * through ReceiverTraffic (the pipeline's frames); everything it sends goes
 * through ReceiverLink. Outcomes are events with one-sentence details and
 * counters in status(), never exceptions: a NAK, silence, a malformed reply
 * or a wrong rate is a state and a log line, and the box keeps serving
 * whatever time the receiver gives.
 */
import type { Clock } from "../../hal/clock.js";
import type { Frame, FramingReject } from "../frame.js";
import { pmtk605 } from "../nmea/pmtkCommands.js";
import type { SurveyInReport } from "../receiverReports.js";
import type { Decoded } from "../report.js";
import { cfgCfgSaveAll } from "../ubx/cfgCfg.js";
import { UBX } from "../ubx/messageIds.js";
import { ubxPoll } from "../ubx/poll.js";
import { changeBaud, type BaudChangeResult } from "./baudChange.js";
import { huntBaud, type BaudHuntResult } from "./baudHunt.js";
import { runStep, runSteps, type RunOptions, type StepResult } from "./commandRunner.js";
import { loadNote, withoutRefused, type ConfigPlan, type OutputExpectation } from "./configPlan.js";
import { frameName } from "./frameName.js";
import { identify } from "./identify.js";
import { describeReceiver, type IdentifiedReceiver } from "./identity.js";
import { planMediatek } from "./mtkPlan.js";
import { compareOutput, lineVerdict, OutputTally, type OutputComparison } from "./outputTally.js";
import { readBack, type ReadBackItem } from "./readBack.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { ReceiverTraffic } from "./receiverTraffic.js";
import { ReplyWaiter } from "./replyWaiter.js";
import { COMMON_BAUD_RATES, DEFAULT_MEDIATEK_NMEA, DEFAULT_SETTINGS, type ReceiverSettings, type SurveyedPosition } from "./settings.js";
import { SurveyWatch } from "./surveyWatch.js";
import { planUblox } from "./ubxPlan.js";

export type ControlState = "stopped" | "identifying" | "finding-baud" | "no-receiver" | "changing-baud" | "configuring" | "verifying" | "surveying" | "ready" | "listening" | "silent";

export type ControlEvent =
  | { kind: "state"; state: ControlState; detail: string }
  | { kind: "identified"; receiver: IdentifiedReceiver; description: string }
  | { kind: "baud-search"; result: BaudHuntResult }
  | { kind: "baud-change"; result: BaudChangeResult }
  | { kind: "step"; result: StepResult }
  | { kind: "configured"; results: StepResult[]; notes: string[]; detail: string }
  | { kind: "verified"; comparison: OutputComparison }
  | { kind: "survey"; report: SurveyInReport }
  | { kind: "surveyed"; position: SurveyedPosition; detail: string }
  | { kind: "mismatch"; detail: string };

export interface ControlTiming {
  /** Per command: how long to wait for ACK/NAK/PMTK001 (and once more after silence). */
  replyTimeoutMs: number;
  /** Baud search: listening time at each rate. */
  listenMs: number;
  /** After configuring: let the new output settle before judging it. */
  settleMs: number;
  /** Window over which output is judged right after configuring, and then continuously. */
  verifyWindowMs: number;
  monitorWindowMs: number;
  /** After finding no receiver: wait this long and search again. */
  retryMs: number;
}

export const DEFAULT_TIMING: ControlTiming = { replyTimeoutMs: 1000, listenMs: 1500, settleMs: 1500, verifyWindowMs: 3000, monitorWindowMs: 5000, retryMs: 30_000 };

export interface ControlOptions {
  link: ReceiverLink;
  clock: Clock;
  settings?: ReceiverSettings;
  /** serial.baud as configured: a rate, or "auto" to search from the common rates. */
  configuredBaud: number | "auto";
  timing?: Partial<ControlTiming>;
  onEvent?: (e: ControlEvent) => void;
}

export interface ReceiverControlStatus {
  state: ControlState;
  detail: string;
  sinceMs: number;
  receiver: IdentifiedReceiver | undefined;
  description: string | undefined;
  baud: number;
  lastConfiguration: { atMs: number; results: StepResult[]; notes: string[] } | undefined;
  survey: SurveyInReport | undefined;
  surveyedPosition: SurveyedPosition | undefined;
  counts: {
    identifications: number;
    configurations: number;
    reconfigurations: number;
    acknowledged: number;
    refused: number;
    unanswered: number;
    baudSearches: number;
    baudChanges: number;
    mismatches: number;
  };
}

/** How many configurations in a row may fail verification before the box stops retrying at once. */
const MAX_QUICK_RETRIES = 2;

export class ReceiverControl implements ReceiverTraffic {
  private readonly link: ReceiverLink;
  private readonly clock: Clock;
  private readonly settings: ReceiverSettings;
  private readonly timing: ControlTiming;
  private readonly waiter: ReplyWaiter;
  private readonly tally = new OutputTally();
  private readonly emit: (e: ControlEvent) => void;
  private state: ControlState = "stopped";
  private detail = "not started";
  private sinceMs = 0;
  private receiver: IdentifiedReceiver | undefined;
  private plan: ConfigPlan | undefined;
  /** The plan's expectation less what the receiver refused: what its output is checked against. */
  private expected: OutputExpectation | undefined;
  private survey: SurveyWatch | undefined;
  private lastSurvey: SurveyInReport | undefined;
  private surveyed: SurveyedPosition | undefined;
  private lastConfiguration: ReceiverControlStatus["lastConfiguration"];
  private running = false;
  /** stop() was called: a cycle still under way finishes its current wait and changes nothing more. */
  private halted = false;
  private again: string | undefined;
  private quickRetries = 0;
  private stopMonitor: () => void = () => undefined;
  private stopRetry: () => void = () => undefined;
  private idle: Array<() => void> = [];
  private readonly counts: ReceiverControlStatus["counts"] = {
    identifications: 0,
    configurations: 0,
    reconfigurations: 0,
    acknowledged: 0,
    refused: 0,
    unanswered: 0,
    baudSearches: 0,
    baudChanges: 0,
    mismatches: 0,
  };

  constructor(private readonly o: ControlOptions) {
    this.link = o.link;
    this.clock = o.clock;
    this.settings = o.settings ?? DEFAULT_SETTINGS;
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
    this.waiter = new ReplyWaiter(o.clock);
    this.emit = o.onEvent ?? (() => undefined);
  }

  // ---- traffic from the pipeline -------------------------------------------------------------

  frame(frame: Frame, decoded: Decoded): void {
    // A "$" and a newline in noise make a line, not a sentence: without a good checksum it is noise.
    if (!decoded.ok && (decoded.reason === "missing-checksum" || decoded.reason === "bad-checksum")) {
      this.tally.dropped(frame.kind === "nmea" ? frame.text.length : frame.payload.length + 8);
      return;
    }
    const name = frameName(frame);
    this.tally.add(name);
    const report = decoded.ok ? decoded.report : undefined;
    if (this.waiter.waiting) this.waiter.heard({ frame, report, name });
    if (report?.surveyIn) this.onSurvey(report.surveyIn);
  }

  dropped(_reason: FramingReject, bytes: number): void {
    this.tally.dropped(bytes);
  }

  // ---- life cycle ----------------------------------------------------------------------------

  /** Identify, find the rate if needed, configure, verify, and keep watching. */
  start(): void {
    this.restart("service started");
  }

  /** Start over: the device was reopened or replugged, or something no longer matches. */
  restart(reason: string): void {
    this.halted = false;
    if (this.running) {
      this.again = reason;
      return;
    }
    this.stopMonitor();
    this.stopRetry();
    void this.cycle(reason);
  }

  stop(): void {
    this.stopMonitor();
    this.stopRetry();
    this.again = undefined;
    this.setState("stopped", "stopped");
    this.halted = true;
  }

  /** Resolves when the current cycle has reached a resting state (ready, listening, surveying, no-receiver, …). */
  settled(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  status(): ReceiverControlStatus {
    return {
      state: this.state,
      detail: this.detail,
      sinceMs: this.sinceMs,
      receiver: this.receiver,
      description: this.receiver ? describeReceiver(this.receiver) : undefined,
      baud: this.link.baud,
      lastConfiguration: this.lastConfiguration,
      survey: this.lastSurvey,
      surveyedPosition: this.surveyed,
      counts: { ...this.counts },
    };
  }

  /** The plan for the receiver identified last (undefined before, or for NMEA-only receivers). */
  currentPlan(): ConfigPlan | undefined {
    return this.plan;
  }

  // ---- owner's requests (stratum1ctl gps config) ---------------------------------------------

  /** `--save`: the configuration in force goes to BBR and flash (u-blox CFG-CFG; MediaTek keeps RAM on its cell). */
  async saveToFlash(): Promise<StepResult> {
    const rx = this.receiver;
    if (rx?.family !== "u-blox") {
      const why = rx?.family === "mediatek" ? "MediaTek keeps its settings in battery-backed RAM; there is no save command to send" : "no u-blox receiver identified: nothing to save";
      return { step: "CFG-CFG", what: "save to BBR and flash", outcome: "skipped", attempts: 0, detail: why };
    }
    const r = await runStep(
      { name: "CFG-CFG", bytes: cfgCfgSaveAll(), expect: { kind: "ubx-ack", msgClass: UBX.CFG_CFG.msgClass, msgId: UBX.CFG_CFG.msgId }, what: "save to battery-backed RAM and flash" },
      this.link,
      this.waiter,
      this.runOptions(),
    );
    this.count(r);
    return r;
  }

  /** `--show`: the settings as the receiver reports them. */
  async readBack(): Promise<ReadBackItem[]> {
    if (!this.receiver) return [{ name: "settings", value: undefined, detail: "no receiver identified yet" }];
    const outputs = this.plan ? this.plan.outputNames : [];
    return readBack(this.receiver, this.link, this.waiter, outputs, this.timing.replyTimeoutMs);
  }

  // ---- the cycle -----------------------------------------------------------------------------

  private async cycle(reason: string): Promise<void> {
    this.running = true;
    try {
      await this.run(reason);
    } catch (err) {
      // The port failing under a write (EIO: unplugged) or a bug here must not take the time service down: a state, then a retry.
      this.setState("no-receiver", `receiver control failed: ${(err as Error).message}; retrying in ${this.timing.retryMs / 1000} s (the device is reopened on its own when it returns)`);
      this.scheduleRetry();
    } finally {
      this.running = false;
      const again = this.again;
      this.again = undefined;
      if (again !== undefined && !this.halted) this.restart(again);
      else for (const f of this.idle.splice(0)) f();
    }
  }

  private async run(reason: string): Promise<void> {
    this.setState("identifying", `identifying the receiver (${reason})`);
    let id = await this.identifyNow();
    if (!id.receiver) {
      this.setState("finding-baud", `${id.detail}: searching the common rates`);
      this.counts.baudSearches += 1;
      const hunt = await huntBaud(this.link, this.tally, this.waiter, {
        start: this.link.baud,
        configured: this.o.configuredBaud,
        candidates: COMMON_BAUD_RATES,
        listenMs: this.timing.listenMs,
        probes: [ubxPoll(UBX.MON_VER), pmtk605()],
      });
      this.emit({ kind: "baud-search", result: hunt });
      if (hunt.found === undefined) {
        this.setState("no-receiver", `${hunt.detail}; searching again in ${this.timing.retryMs / 1000} s`);
        this.scheduleRetry();
        return;
      }
      this.setState("identifying", hunt.detail);
      id = await this.identifyNow();
      if (!id.receiver) {
        this.setState("no-receiver", `${id.detail}; trying again in ${this.timing.retryMs / 1000} s`);
        this.scheduleRetry();
        return;
      }
    }
    const rx = id.receiver!;
    this.receiver = rx;
    this.emit({ kind: "identified", receiver: rx, description: describeReceiver(rx) });
    if (rx.family === "nmea" || !this.settings.configure) {
      this.plan = undefined;
      this.expected = undefined;
      this.setState("listening", rx.family === "nmea" ? id.detail : `${describeReceiver(rx)}; not configured (gps.configure = off)`);
      this.startMonitor();
      return;
    }
    if (this.settings.targetBaud !== undefined && this.settings.targetBaud !== this.link.baud) {
      this.setState("changing-baud", `moving the receiver from ${this.link.baud} to ${this.settings.targetBaud} baud`);
      const change = await changeBaud(rx, this.link, this.waiter, this.settings.targetBaud, this.settings.persist === "bbr-flash", this.timing.replyTimeoutMs);
      if (change.ok && change.from !== change.to) this.counts.baudChanges += 1;
      this.emit({ kind: "baud-change", result: change });
    }
    await this.configure(rx);
  }

  private async identifyNow(): Promise<Awaited<ReturnType<typeof identify>>> {
    this.tally.reset();
    this.counts.identifications += 1;
    return identify(this.link, this.waiter, () => lineVerdict(this.tally) === "decoding", this.timing.replyTimeoutMs, 2);
  }

  private async configure(rx: IdentifiedReceiver): Promise<void> {
    // gps.nmea left at its default: a MediaTek also keeps GSA and GSV/5 (its only sky view); a list the owner chose is taken as it is.
    const defaultNmea = JSON.stringify(this.settings.nmea) === JSON.stringify(DEFAULT_SETTINGS.nmea);
    const settings = rx.family === "mediatek" && defaultNmea ? { ...this.settings, nmea: DEFAULT_MEDIATEK_NMEA } : this.settings;
    const plan = rx.family === "u-blox" ? planUblox(rx, settings) : planMediatek(settings);
    this.plan = plan;
    const notes = [...plan.notes];
    const slow = loadNote(plan.load, this.link.baud);
    if (slow) notes.push(slow);
    this.setState("configuring", `${describeReceiver(rx)}: sending ${plan.steps.length} settings`);
    this.counts.configurations += 1;
    const results = await runSteps(plan.steps, this.link, this.waiter, this.runOptions(), (r) => {
      this.count(r);
      this.emit({ kind: "step", result: r });
      if (this.halted) throw new Error("stopped while configuring");
    });
    this.lastConfiguration = { atMs: this.clock.monotonicMs(), results, notes };
    this.expected = withoutRefused(plan.output, plan.steps, new Set(results.filter((r) => r.outcome === "refused").map((r) => r.step)));
    const acked = results.filter((r) => r.outcome === "acknowledged").length;
    const problems = results.filter((r) => r.outcome !== "acknowledged" && r.outcome !== "sent");
    const summary = problems.length === 0 ? `all ${acked} settings acknowledged` : `${acked} of ${results.length} acknowledged; ${problems.map((p) => p.detail).join(" ")}`;
    this.emit({ kind: "configured", results, notes, detail: summary });
    if (results.some((r) => r.outcome === "no-answer" || r.outcome === "write-failed")) {
      // The receiver stopped listening mid-way: find out again what is there, and at what rate.
      this.setState("identifying", `configuration interrupted: ${problems[0]?.detail ?? "no answer"}`);
      this.again ??= "the receiver stopped answering during configuration";
      return;
    }
    this.setState("verifying", `${summary}; checking the output`);
    await this.waiter.sleep(this.timing.settleMs);
    this.tally.reset();
    await this.waiter.sleep(this.timing.verifyWindowMs);
    const comparison = compareOutput(this.tally, this.expected, this.timing.verifyWindowMs / 1000);
    this.emit({ kind: "verified", comparison });
    if (!comparison.matches) {
      this.counts.mismatches += 1;
      if (this.quickRetries < MAX_QUICK_RETRIES) {
        this.quickRetries += 1;
        this.setState("identifying", `${comparison.detail}; configuring again`);
        this.again ??= "the output did not match right after configuring";
        return;
      }
      // Configuring again would only loop: stop judging the output (silence and noise are still watched).
      this.quickRetries = 0;
      this.expected = undefined;
      this.setState("ready", `${comparison.detail}; configured ${MAX_QUICK_RETRIES + 1} times without effect: the output is no longer checked, and the box serves time as the receiver gives it`);
      this.startMonitor();
      return;
    }
    this.quickRetries = 0;
    const surveying = rx.family === "u-blox" && rx.timeMode !== undefined && this.settings.fixedPosition === undefined;
    if (surveying) {
      this.survey = new SurveyWatch(this.settings.survey);
      this.setState("surveying", `survey-in started: at least ${this.settings.survey.minDurationS} s, to ${this.settings.survey.accuracyLimitM} m`);
    } else {
      this.survey = undefined;
      this.setState("ready", `${describeReceiver(rx)}: ${summary}${this.settings.fixedPosition && rx.family === "u-blox" && rx.timeMode ? ", holding the saved position" : ""}`);
    }
    this.startMonitor();
  }

  private onSurvey(r: SurveyInReport): void {
    this.lastSurvey = r;
    if (this.state !== "surveying" || !this.survey) return;
    const step = this.survey.update(r);
    this.emit({ kind: "survey", report: r });
    if (step.kind === "done") {
      this.surveyed = step.position;
      const p = step.position;
      const detail = `survey-in done after ${r.durationS} s: ECEF ${p.ecefM.x.toFixed(3)}, ${p.ecefM.y.toFixed(3)}, ${p.ecefM.z.toFixed(3)} m ±${p.accuracyM.toFixed(3)} m; the receiver now holds it (save it for the next start)`;
      this.emit({ kind: "surveyed", position: p, detail });
      this.setState("ready", detail);
    }
  }

  // ---- watching ------------------------------------------------------------------------------

  private startMonitor(): void {
    this.stopMonitor();
    if (this.halted) return;
    this.tally.reset();
    this.stopMonitor = this.clock.every(this.timing.monitorWindowMs, () => this.check());
  }

  private check(): void {
    if (this.running) return;
    const verdict = lineVerdict(this.tally);
    const windowS = this.timing.monitorWindowMs / 1000;
    if (verdict === "silent") {
      if (this.state !== "silent") this.setState("silent", `nothing from the receiver for ${windowS} s: unplugged or without power?`);
      this.tally.reset();
      return;
    }
    if (this.state === "silent") {
      this.stopMonitor();
      this.restart("the receiver is talking again (replugged or powered up)");
      return;
    }
    if (verdict === "garbage") {
      this.counts.mismatches += 1;
      const detail = `bytes arrive at ${this.link.baud} baud but nothing decodes: the receiver changed rate (a reset to its default?)`;
      this.emit({ kind: "mismatch", detail });
      this.stopMonitor();
      this.restart(detail);
      return;
    }
    if (this.expected && (this.state === "ready" || this.state === "surveying")) {
      const c = compareOutput(this.tally, this.expected, windowS);
      if (!c.matches) {
        this.counts.mismatches += 1;
        this.counts.reconfigurations += 1;
        // Noise beside the missing messages says the settings went with the rate: a reset to the default baud.
        const noisy = this.tally.garbageBytes > 100;
        const detail = noisy
          ? `${c.detail}, and ${this.tally.garbageBytes} bytes that do not decode at ${this.link.baud} baud: the receiver was reset to its default settings and rate; finding it again`
          : `${c.detail}: the receiver lost its settings (reset or power cycle?); configuring again`;
        this.emit({ kind: "mismatch", detail });
        this.stopMonitor();
        this.restart(detail);
        return;
      }
    }
    this.tally.reset();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private scheduleRetry(): void {
    this.stopRetry();
    if (this.halted) return;
    this.stopRetry = this.clock.after(this.timing.retryMs, () => this.restart("retrying"));
  }

  private runOptions(): RunOptions {
    const rx = this.receiver;
    const name = rx?.family === "u-blox" ? `this receiver (protocol ${rx.protocol.toFixed(2)})` : rx?.family === "mediatek" ? "this MediaTek receiver" : "the receiver";
    return { timeoutMs: this.timing.replyTimeoutMs, retries: 1, receiverName: name };
  }

  private count(r: StepResult): void {
    if (r.outcome === "acknowledged") this.counts.acknowledged += 1;
    else if (r.outcome === "refused") this.counts.refused += 1;
    else if (r.outcome === "no-answer" || r.outcome === "write-failed") this.counts.unanswered += 1;
  }

  private setState(state: ControlState, detail: string): void {
    if (this.halted) return;
    this.state = state;
    this.detail = detail;
    this.sinceMs = this.clock.monotonicMs();
    this.emit({ kind: "state", state, detail });
  }
}
