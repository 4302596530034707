/*
 * Receiver control as the service runs it: ReceiverControl (the state
 * machine) with the service's settings, its events told in the log once
 * each, the surveyed position kept on persistent storage (state.dir) so a
 * timing receiver holds it in seconds after the next start, and the view
 * the status snapshot shows. The decisions stay in ReceiverControl; this
 * file only connects it.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { replaceFileAtomically } from "../../config/atomicFile.js";
import type { Clock } from "../../hal/clock.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { Logger } from "../../log/logger.js";
import type { ReceiverControlView } from "../../status/contract.js";
import type { StepResult } from "./commandRunner.js";
import type { ReadBackItem } from "./readBack.js";
import { ReceiverControl, type ControlEvent, type ControlState } from "./receiverControl.js";
import type { ReceiverSettings, SurveyedPosition } from "./settings.js";

export interface SupervisorOptions {
  link: ReceiverLink;
  clock: Clock;
  log: Logger;
  /** Settings without the saved position (it is read here). */
  settings: ReceiverSettings;
  configuredBaud: number | "auto";
  /** Where the surveyed position is kept; undefined: nowhere (surveyed again at every start). */
  stateDir: string | null;
}

const POSITION_FILE = "gps-position.json";

/** Outcomes an operator must hear about: the others are what was asked for. */
const PROBLEMS: ReadonlySet<StepResult["outcome"]> = new Set(["refused", "no-answer", "write-failed"]);

export class ReceiverSupervisor {
  readonly control: ReceiverControl;
  private readonly positionPath: string | undefined;
  private readonly settings: ReceiverSettings;
  private position: { value: SurveyedPosition; source: "saved" | "surveyed" } | undefined;
  private lastState: ControlState | undefined;
  private problems: StepResult[] = [];

  constructor(private readonly o: SupervisorOptions) {
    this.positionPath = o.stateDir ? join(o.stateDir, POSITION_FILE) : undefined;
    const saved = this.readPosition();
    if (saved) this.position = { value: saved, source: "saved" };
    this.settings = { ...o.settings, fixedPosition: o.settings.fixedPosition ?? saved };
    this.control = new ReceiverControl({
      link: o.link,
      clock: o.clock,
      settings: this.settings,
      configuredBaud: o.configuredBaud,
      onEvent: (e) => this.told(e),
    });
  }

  start(): void {
    this.control.start();
  }

  /** The port was reopened (a replug, a reset): find out again what is there. */
  restart(reason: string): void {
    this.control.restart(reason);
  }

  stop(): void {
    this.control.stop();
  }

  /**
   * `stratum1ctl gps config --show`. Asked once the cycle is at rest: polls
   * sent while it identifies, hunts the baud or configures would be read at
   * the wrong rate or taken for the answers it waits for.
   */
  async readBack(): Promise<ReadBackItem[]> {
    await this.control.settled();
    return this.control.readBack();
  }

  /** `stratum1ctl gps config --save`: only when the box configures the receiver; otherwise what it would save is the owner's, not the box's. */
  async saveToFlash(): Promise<StepResult> {
    if (!this.settings.configure)
      return {
        step: "CFG-CFG",
        what: "save to battery-backed RAM and flash",
        outcome: "skipped",
        attempts: 0,
        detail: "gps.configure is off: the box leaves the receiver's settings to you and saves nothing (set gps.configure = on, or save with the receiver's own tool)",
      };
    await this.control.settled();
    return this.control.saveToFlash();
  }

  view(nowUs: number): ReceiverControlView {
    const s = this.control.status();
    const sinceUs = nowUs - (this.o.clock.monotonicMs() - s.sinceMs) * 1000;
    const c = s.lastConfiguration;
    const survey = s.survey;
    return {
      state: s.state,
      detail: s.detail,
      since: new Date(sinceUs / 1000).toISOString(),
      receiver: s.description ?? null,
      baud: s.baud,
      configure: this.settings.configure,
      configuration: c
        ? {
            at: new Date((nowUs - (this.o.clock.monotonicMs() - c.atMs) * 1000) / 1000).toISOString(),
            acknowledged: c.results.filter((r) => r.outcome === "acknowledged").length,
            problems: this.problems.map((r) => ({ step: r.step, outcome: r.outcome, detail: r.detail })),
            notes: [...c.notes],
          }
        : null,
      survey:
        s.state === "surveying" && survey
          ? { durationS: survey.durationS, accuracyM: survey.accuracyM, wantedS: this.settings.survey.minDurationS, wantedM: this.settings.survey.accuracyLimitM }
          : null,
      position: this.position ? { source: this.position.source, accuracyM: this.position.value.accuracyM } : null,
      counts: { ...s.counts },
    };
  }

  private told(e: ControlEvent): void {
    const log = this.o.log;
    switch (e.kind) {
      case "state":
        if (e.state === this.lastState) return;
        this.lastState = e.state;
        if (e.state === "no-receiver" || e.state === "silent") log.warn(`gps: ${e.state}: ${e.detail}`);
        else log.info(`gps: ${e.state}: ${e.detail}`);
        return;
      case "identified":
        log.info(`gps: identified ${e.description}`);
        return;
      case "baud-search":
        if (e.result.found === undefined) log.warn(`gps: baud search: ${e.result.detail}`);
        else log.warn(`gps: ${e.result.detail}`);
        return;
      case "baud-change":
        (e.result.ok ? log.info : log.warn).call(log, `gps: ${e.result.detail}`);
        return;
      case "step":
        if (PROBLEMS.has(e.result.outcome)) log.warn(`gps: ${e.result.step} (${e.result.what}) ${e.result.outcome}: ${e.result.detail}`);
        return;
      case "configured":
        this.problems = e.results.filter((r) => PROBLEMS.has(r.outcome));
        (this.problems.length === 0 ? log.info : log.warn).call(log, `gps: configured: ${e.detail}`);
        for (const n of e.notes) log.info(`gps: note: ${n}`);
        return;
      case "verified":
        if (!e.comparison.matches) log.warn(`gps: output after configuring: ${e.comparison.detail}`);
        return;
      case "surveyed":
        log.info(`gps: ${e.detail}`);
        this.position = { value: e.position, source: "surveyed" };
        this.savePosition(e.position);
        return;
      case "mismatch":
        log.warn(`gps: ${e.detail}`);
        return;
      case "survey":
        return;
    }
  }

  private readPosition(): SurveyedPosition | undefined {
    if (!this.positionPath) return undefined;
    try {
      const p = JSON.parse(readFileSync(this.positionPath, "utf8")) as Partial<SurveyedPosition>;
      const e = p.ecefM;
      if (!e || ![e.x, e.y, e.z, p.accuracyM].every((v) => typeof v === "number" && Number.isFinite(v))) {
        this.o.log.warn(`gps: ${this.positionPath} holds no position (ecefM x/y/z and accuracyM in metres): ignored, the receiver surveys again`);
        return undefined;
      }
      return { ecefM: { x: e.x, y: e.y, z: e.z }, accuracyM: p.accuracyM! };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") this.o.log.warn(`gps: cannot read ${this.positionPath} (${code ?? (err as Error).message}): the receiver surveys again`);
      return undefined;
    }
  }

  private savePosition(p: SurveyedPosition): void {
    if (!this.positionPath) return;
    try {
      mkdirSync(join(this.positionPath, ".."), { recursive: true });
      replaceFileAtomically(this.positionPath, `${JSON.stringify({ ecefM: p.ecefM, accuracyM: p.accuracyM }, null, 2)}\n`);
      this.o.log.info(`gps: surveyed position saved in ${this.positionPath}: held at once after the next start (delete the file to survey again)`);
    } catch (err) {
      this.o.log.warn(`gps: cannot save the surveyed position in ${this.positionPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): it will be surveyed again after a restart`);
    }
  }
}
