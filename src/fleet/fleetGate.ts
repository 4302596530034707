/*
 * The fleet health gate: every fleet.check seconds, chrony's tracking (and,
 * on a box with a receiver, stratum1d's alarms) judged (healthVerdict.ts),
 * passed through the hysteresis (gateMemory.ts), and the service addresses
 * put where the announced level says (addressPlan.ts) through the kernel
 * (hal's ServiceAddresses). Every address is put again at every check with
 * fleet.lifetime, so the announcement lives only as long as this loop runs.
 *
 * A failed kernel action is one log line per distinct message, counted in
 * the status, and the loop goes on: what is not there is not announced, and
 * an address that cannot be taken off expires once it is no longer renewed.
 */
import type { Clock } from "../hal/clock.js";
import type { ServiceAddresses } from "../hal/serviceAddresses.js";
import { diffS, instantFromUs } from "../hal/instant.js";
import type { Logger } from "../log/logger.js";
import type { CmdmonTracking } from "../chrony/cmdmon/views.js";
import { ALL_FLEET_INTERFACES, addressPlan, type AddressPlan } from "./addressPlan.js";
import { type FleetGateStatus, GATE_STATUS_VERSION, type GateStateName, type GateTransition, stateName } from "./gateStatus.js";
import { type GateMemory, type Hysteresis, initialMemory, remember } from "./gateMemory.js";
import { type BoxFacts, type ChronyFacts, type HealthLevel, judge, rank, type Thresholds, type Verdict } from "./healthVerdict.js";

export interface GateSettings {
  checkMs: number;
  lifetimeS: number;
  hysteresis: Hysteresis;
  thresholds: Thresholds;
  own: readonly string[];
  backup: readonly string[];
}

export interface GateInputs {
  /** chrony's tracking over its monitoring port. */
  tracking(): Promise<CmdmonTracking>;
  /** stratum1d's view of the receiver; absent on a node without one. */
  box?: () => Promise<BoxFacts>;
}

const iso = (us: number): string => new Date(us / 1000).toISOString();

export class FleetGate {
  private memory: GateMemory;
  private verdict: Verdict = { level: "bad", findings: [{ level: "bad", code: "starting", reason: "no check yet" }] };
  private holdDownLeftMs: number | null = null;
  private kernel: AddressPlan = { "fleet-own": [], "fleet-backup": [], "fleet-degraded": [] };
  private readonly checks = { total: 0, healthy: 0, degraded: 0, bad: 0 };
  private readonly transitions: Record<GateStateName, number> = { announced: 0, degraded: 0, withdrawn: 0 };
  private lastTransition: GateTransition | null = null;
  private reason = "starting: nothing is announced before the checks pass";
  private readonly errors = { count: 0, last: null as string | null };
  private checking: Promise<void> | undefined;
  private stopTimer: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly settings: GateSettings,
    private readonly inputs: GateInputs,
    private readonly addresses: ServiceAddresses,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onStatus: (status: FleetGateStatus) => void = () => {},
  ) {
    this.memory = initialMemory(clock.monotonicMs());
  }

  /** Creates the interfaces if missing, then checks now and every fleet.check seconds. */
  async start(): Promise<void> {
    for (const iface of ALL_FLEET_INTERFACES) await this.act(`cannot set up interface ${iface}`, () => this.addresses.ensureInterface(iface));
    if (this.stopped) return;
    this.stopTimer = this.clock.every(this.settings.checkMs, () => void this.check());
    await this.check();
  }

  /** One check; a check still in flight is not doubled. */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Stops checking and takes every service address off: a stopped gate announces nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer?.();
    await this.checking;
    const nowMs = this.clock.monotonicMs();
    if (this.memory.level !== "bad") this.enter({ from: this.memory.level, to: "bad", reason: "the gate is stopping" });
    this.memory = { ...this.memory, level: "bad", sinceMs: nowMs, withdrawnAtMs: nowMs };
    await this.apply(addressPlan("bad", [], []));
    this.onStatus(this.status());
  }

  status(): FleetGateStatus {
    const now = this.clock.realtimeUs();
    const sinceUs = now - (this.clock.monotonicMs() - this.memory.sinceMs) * 1000;
    return {
      version: GATE_STATUS_VERSION,
      updatedAt: iso(now),
      state: stateName(this.memory.level),
      since: iso(sinceUs),
      reason: this.reason,
      verdict: this.verdict.level,
      findings: this.verdict.findings,
      holdDownLeftS: this.holdDownLeftMs === null ? null : Math.ceil(this.holdDownLeftMs / 1000),
      addresses: this.kernel,
      own: [...this.settings.own],
      backup: [...this.settings.backup],
      checkS: this.settings.checkMs / 1000,
      checks: { ...this.checks },
      transitions: { ...this.transitions },
      lastTransition: this.lastTransition,
      errors: { ...this.errors },
    };
  }

  private async runCheck(): Promise<void> {
    const facts = { chrony: await this.chronyFacts(), box: this.inputs.box ? await this.inputs.box().catch((err: Error): BoxFacts => ({ fresh: false, why: err.message })) : null };
    if (this.stopped) return;
    this.verdict = judge(facts, this.settings.thresholds);
    this.checks.total++;
    this.checks[this.verdict.level]++;
    const r = remember(this.memory, this.verdict, this.clock.monotonicMs(), this.settings.hysteresis);
    if (r.transition) this.enter(r.transition);
    if (r.holdDownLeftMs !== null && this.holdDownLeftMs === null) this.log.info(`fleet: checks pass again; held down for ${Math.ceil(r.holdDownLeftMs / 1000)} s more after the withdrawal`);
    this.holdDownLeftMs = r.holdDownLeftMs;
    this.memory = r.memory;
    await this.apply(addressPlan(this.memory.level, this.settings.own, this.settings.backup));
    this.onStatus(this.status());
  }

  private enter(t: { from: HealthLevel; to: HealthLevel; reason: string }): void {
    const [from, to] = [stateName(t.from), stateName(t.to)];
    this.transitions[to]++;
    this.reason = t.reason;
    this.lastTransition = { from, to, at: iso(this.clock.realtimeUs()), reason: t.reason };
    const line = `fleet: ${from} -> ${to}: ${t.reason}`;
    if (rank(t.to) > rank(t.from)) this.log.warn(line);
    else this.log.info(line);
  }

  private async chronyFacts(): Promise<ChronyFacts> {
    try {
      const t = await this.inputs.tracking();
      const now = instantFromUs(this.clock.realtimeUs());
      const sinceUpdateS = t.refTime.sec === 0 ? null : Math.max(0, diffS(now, t.refTime));
      return {
        reachable: true,
        tracking: {
          leap: t.leap,
          stratum: t.stratum,
          refName: t.refName,
          systemOffsetS: t.systemOffsetS,
          rootDelayS: t.rootDelayS,
          rootDispersionS: t.rootDispersionS,
          sinceUpdateS,
        },
      };
    } catch (err) {
      return { reachable: false, error: (err as Error).message };
    }
  }

  /**
   * Takes off what the plan does not want, then puts (or renews) what it
   * does. In that order: with one address on two interfaces at once, FRR's
   * zebra (8.4) keeps a stale connected route and never announces the move,
   * so a move is a withdrawal and an announcement a moment apart.
   */
  private async apply(plan: AddressPlan): Promise<void> {
    const present = {} as AddressPlan;
    for (const iface of ALL_FLEET_INTERFACES) present[iface] = (await this.act(`cannot list the addresses of ${iface}`, () => this.addresses.list(iface))) ?? [];
    for (const iface of ALL_FLEET_INTERFACES) {
      for (const a of present[iface].filter((x) => !plan[iface].includes(x))) await this.act(`cannot take ${a} off ${iface}`, () => this.addresses.remove(iface, a));
    }
    for (const iface of ALL_FLEET_INTERFACES) {
      for (const a of plan[iface]) await this.act(`cannot put ${a} on ${iface}`, () => this.addresses.put(iface, a, this.settings.lifetimeS));
    }
    const after = {} as AddressPlan;
    for (const iface of ALL_FLEET_INTERFACES) after[iface] = (await this.act(`cannot list the addresses of ${iface}`, () => this.addresses.list(iface))) ?? plan[iface];
    this.kernel = after;
  }

  /** Runs one kernel action; a failure is logged once per distinct message, counted, and never thrown. */
  private async act<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      const message = `${what}: ${(err as Error).message}`;
      this.errors.count++;
      if (message !== this.errors.last) this.log.error(`fleet: ${message}`);
      this.errors.last = message;
      return undefined;
    }
  }
}
