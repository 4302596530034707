/*
 * What the gate says of itself, written as JSON at every check (fleet.status)
 * and read by stratum1d (the panel, the status snapshot, its metrics) and by
 * stratum1ctl. Types only; the gate (fleetGate.ts) fills them in.
 */
import type { Finding, HealthLevel } from "./healthVerdict.js";
import type { FleetInterface } from "./addressPlan.js";

export const GATE_STATUS_VERSION = 1;

/** announced: healthy, plain path; degraded: announced with the long path; withdrawn: nothing announced. */
export type GateStateName = "announced" | "degraded" | "withdrawn";

export const stateName = (l: HealthLevel): GateStateName => (l === "healthy" ? "announced" : l === "degraded" ? "degraded" : "withdrawn");

export interface GateTransition {
  from: GateStateName;
  to: GateStateName;
  at: string;
  reason: string;
}

export interface FleetGateStatus {
  version: number;
  updatedAt: string;
  /** What the routers are told now. */
  state: GateStateName;
  since: string;
  /** Why it is in that state: the transition's reason, or "starting". */
  reason: string;
  /** The latest check's own verdict, before the hysteresis. */
  verdict: HealthLevel;
  findings: Finding[];
  /** Seconds before the addresses may come back after a withdrawal, while the checks would allow it; null otherwise. */
  holdDownLeftS: number | null;
  /** The addresses on the fleet's interfaces, as the kernel listed them at this check. */
  addresses: Record<FleetInterface, string[]>;
  /** The service addresses the gate was given (fleet.own, fleet.backup): with `addresses`, where each one is announced, or that it is not. */
  own: string[];
  backup: string[];
  /** Seconds between checks (fleet.check): the file is rewritten at each, so a reader tells a hung or stopped gate by its age. */
  checkS: number;
  checks: { total: number; healthy: number; degraded: number; bad: number };
  /** Transitions since start, by the state entered. */
  transitions: Record<GateStateName, number>;
  lastTransition: GateTransition | null;
  /** Kernel actions that failed (an address refused, an interface missing), and the latest message. */
  errors: { count: number; last: string | null };
}
