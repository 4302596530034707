/*
 * The gate's hysteresis: which level is announced, given the latest checks'
 * verdicts. Pure, like the verdict: the memory is a value, each check gives
 * a new one and, when the announced level changes, the transition with its
 * reason.
 *
 * Going down takes `fail` checks in a row worse than what is announced (one
 * slow answer or a chrony restart does not move the fleet's clients); the
 * level taken is the best of those checks, so a node that is bad for three
 * checks is withdrawn at once, not degraded first. Going up takes `pass`
 * checks in a row better than what is announced, the worst of them taken;
 * and after a withdrawal, the hold-down must also have passed, so a node
 * whose time comes and goes moves its clients once, not at every swing. At
 * start nothing is announced and no hold-down applies: the node comes up
 * after `pass` good checks, as any client would want to see first.
 */
import { type HealthLevel, rank, type Verdict } from "./healthVerdict.js";

export interface Hysteresis {
  fail: number;
  pass: number;
  holdDownMs: number;
}

export interface GateMemory {
  /** What is announced: healthy, degraded, or bad (withdrawn). */
  level: HealthLevel;
  sinceMs: number;
  /** The latest checks' levels, oldest first, at most max(fail, pass). */
  recent: HealthLevel[];
  /** When a transition last withdrew the addresses; null before any (start needs no hold-down). */
  withdrawnAtMs: number | null;
}

export interface Transition {
  from: HealthLevel;
  to: HealthLevel;
  atMs: number;
  reason: string;
}

export interface Remembered {
  memory: GateMemory;
  transition: Transition | null;
  /** While checks would bring the node back but the hold-down has not passed: how long is left. */
  holdDownLeftMs: number | null;
}

export const initialMemory = (nowMs: number): GateMemory => ({ level: "bad", sinceMs: nowMs, recent: [], withdrawnAtMs: null });

const best = (levels: readonly HealthLevel[]): HealthLevel => levels.reduce((a, b) => (rank(b) < rank(a) ? b : a));
const worst = (levels: readonly HealthLevel[]): HealthLevel => levels.reduce((a, b) => (rank(b) > rank(a) ? b : a));

export function remember(memory: GateMemory, verdict: Verdict, nowMs: number, h: Hysteresis): Remembered {
  const recent = [...memory.recent, verdict.level].slice(-Math.max(h.fail, h.pass));
  const stay = (holdDownLeftMs: number | null = null): Remembered => ({ memory: { ...memory, recent }, transition: null, holdDownLeftMs });
  const move = (to: HealthLevel, reason: string): Remembered => ({
    memory: { level: to, sinceMs: nowMs, recent, withdrawnAtMs: to === "bad" ? nowMs : memory.withdrawnAtMs },
    transition: { from: memory.level, to, atMs: nowMs, reason },
    holdDownLeftMs: null,
  });

  const lastFail = recent.slice(-h.fail);
  if (lastFail.length === h.fail && lastFail.every((l) => rank(l) > rank(memory.level))) {
    const to = best(lastFail);
    const why = verdict.findings.find((f) => rank(f.level) >= rank(to)) ?? verdict.findings[0];
    return move(to, `${why?.reason ?? to} (${h.fail} check${h.fail === 1 ? "" : "s"} in a row)`);
  }
  const lastPass = recent.slice(-h.pass);
  if (lastPass.length === h.pass && lastPass.every((l) => rank(l) < rank(memory.level))) {
    const to = worst(lastPass);
    if (memory.level === "bad" && memory.withdrawnAtMs !== null) {
      const left = memory.withdrawnAtMs + h.holdDownMs - nowMs;
      if (left > 0) return stay(left);
    }
    const reason =
      to === "healthy"
        ? `${h.pass} good check${h.pass === 1 ? "" : "s"} in a row`
        : `${h.pass} check${h.pass === 1 ? "" : "s"} in a row no worse than degraded (${verdict.findings[0]?.reason ?? "degraded"})`;
    return move(to, reason);
  }
  return stay();
}
