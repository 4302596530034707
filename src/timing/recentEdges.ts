/*
 * The last few pulse edges and what became of each: the second it was
 * labelled with, or why not. An operator chasing "why is PPS not locked"
 * needs the individual edges (is the delay steady? which reason, on which
 * edge?), not only the counters. Bounded: a ring of RECENT_EDGES records.
 */
import type { Instant } from "../hal/instant.js";
import type { AssociationReject } from "./secondAssociator.js";

export const RECENT_EDGES = 20;

/**
 * labelled / labelled-by-count, an associator refusal, "no-time" (no
 * accepted epoch of the receiver named this edge), or "pending" (too recent
 * to say).
 */
export type EdgeOutcome = "labelled" | "labelled-by-count" | "pending" | "no-time" | AssociationReject;

export interface RecentEdge {
  /** The edge's stamp (kernel or user space), ISO 8601 with nanoseconds. */
  at: string;
  seq: number;
  outcome: EdgeOutcome;
  /** The UTC second it was labelled with (ISO), or null. */
  label: string | null;
  /** The refusal's explanation, or null. */
  detail: string | null;
  /** From the edge to the first byte of the receiver's words about it, ms; null when no epoch was weighed against it. */
  delayMs: number | null;
}

interface Held extends RecentEdge {
  us: number;
}

export const isoInstant = (t: Instant): string => new Date(t.sec * 1000).toISOString().replace(".000Z", `.${String(t.nsec).padStart(9, "0")}Z`);

export class RecentEdges {
  private ring: Held[] = [];

  constructor(private readonly capacity = RECENT_EDGES) {}

  add(at: Instant, us: number, seq: number): void {
    this.ring.push({ at: isoInstant(at), us, seq, outcome: "pending", label: null, detail: null, delayMs: null });
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  delay(us: number, delayS: number): void {
    const r = this.find(us);
    if (r && r.delayMs === null) r.delayMs = delayS * 1000;
  }

  labelled(us: number, utcIso: string, byCount: boolean): void {
    const r = this.find(us);
    if (!r) return;
    r.outcome = byCount ? "labelled-by-count" : "labelled";
    r.label = utcIso;
    r.detail = null;
  }

  /** The first reason given for an edge stands: later epochs weighed against it are about other seconds. */
  refused(us: number, reason: AssociationReject, detail: string): void {
    const r = this.find(us);
    if (r?.outcome !== "pending") return;
    r.outcome = reason;
    r.detail = detail;
  }

  /** Edges older than `olderThanUs` that nothing spoke about: the receiver's words did not name them. */
  settle(nowUs: number, olderThanUs: number): void {
    for (const r of this.ring) {
      if (r.outcome === "pending" && nowUs - r.us > olderThanUs) {
        r.outcome = "no-time";
        r.detail = "no accepted epoch of the receiver named this edge";
      }
    }
  }

  list(): RecentEdge[] {
    return this.ring.map(({ us: _us, ...rest }) => ({ ...rest }));
  }

  private find(us: number): Held | undefined {
    for (let i = this.ring.length - 1; i >= 0; i--) if (this.ring[i]!.us === us) return this.ring[i];
    return undefined;
  }
}
