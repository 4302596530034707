/*
 * The conditions an operator must act on, derived from the snapshot's facts
 * alone, so the front panel, stratum1ctl and the log agree on them. Each has
 * a short title and hint that fit a 16-column LCD row, and a detail line for
 * the log and the CLI. Listed most fundamental first: a receiver that sends
 * nothing also has no fix and no pulse, and its alarm is the one shown first.
 */
import type { Logger } from "../log/logger.js";
import type { Alarm, AlarmCondition, AlarmId, GateReject, SnapshotFacts, TimeStateName } from "./contract.js";
import { receiverHealthAlarms } from "./receiverAlarms.js";
import { shortAge } from "./summary.js";
import { rollbackDetail } from "../update/updateStatus.js";

/** Alarms that tell of something coming or to maintain while the time served is right: shown, not blinked. */
const NOTICES: ReadonlySet<AlarmId> = new Set<AlarmId>(["leap-pending", "leap-list"]);
export const isNotice = (id: AlarmId): boolean => NOTICES.has(id);

/** Receiver reports older than this mean it has stopped talking. */
const NO_DATA_S = 5;
/** A condition must hold this long before it is an alarm: one odd epoch is not worth a blinking panel. */
const RAISE_AFTER_S = 3;

const ageS = (iso: string | null, nowUs: number): number => (iso ? nowUs / 1e6 - Date.parse(iso) / 1000 : Infinity);

/** Without an edge for this long while the receiver has a fix, the pulse is missing. */
const NO_PULSE_S = 3;
/** A caught fault keeps the box degraded this long after it last happened. */
const FAULT_RECENT_S = 600;

/** Time-core refusals that mean the receiver's date is wrong, not missing. */
const BAD_DATE_STATES: ReadonlySet<TimeStateName> = new Set<GateReject>(["gps-week-rollover", "date-before-floor", "date-beyond-horizon"]);

function receiverSilent(s: SnapshotFacts, nowUs: number): AlarmCondition | undefined {
  if (s.device.state !== "open") return { id: "no-gps-data", title: "NO GPS DATA", hint: "serial device?", detail: `serial ${s.device.path}: ${s.device.detail}` };
  const sinceOpen = ageS(s.device.since, nowUs);
  if (ageS(s.device.lastReportAt, nowUs) <= NO_DATA_S || sinceOpen <= NO_DATA_S) return undefined;
  if (ageS(s.device.lastDataAt, nowUs) <= NO_DATA_S) {
    return {
      id: "no-gps-data",
      title: "GPS GARBLED",
      hint: "check baud rate",
      detail: `bytes arrive on ${s.device.path} but no sentence decodes: wrong baud rate (serial.baud is ${s.device.baud}) or a noisy line`,
    };
  }
  return {
    id: "no-gps-data",
    title: "NO GPS DATA",
    hint: "GPS TX to Pi RX?",
    detail: `nothing from ${s.device.path} for ${Math.round(Math.min(ageS(s.device.lastDataAt, nowUs), sinceOpen))} s: receiver powered, TX wired to the Pi's RX?`,
  };
}

function degradedCauses(s: SnapshotFacts, nowUs: number): string[] {
  const causes: string[] = [];
  const sinks = { ...s.sinks, ...(s.pps?.sinks ?? {}) };
  for (const [name, st] of Object.entries(sinks)) if (st.state === "failing") causes.push(`${name}: ${st.reason ?? "failing"}`);
  for (const src of s.pps?.sources ?? []) if (src.problem && s.pps?.state !== "no-pulse") causes.push(`${src.name}: ${src.problem}`);
  if (s.pps?.crossCheck && !s.pps.crossCheck.agree) causes.push("kernel and GPIO pulse stamps disagree");
  if (s.service.statusWriteError) causes.push(`status file: ${s.service.statusWriteError}`);
  for (const [where, f] of Object.entries(s.service.faults)) if (ageS(f.lastAt, nowUs) < FAULT_RECENT_S) causes.push(`software fault in ${where} (${f.count}x, see the log): ${f.message}`);
  return causes;
}

/** While chrony holds over, a lost receiver's alarm says for how long and within what bound the box still serves. */
function holdoverHint(s: SnapshotFacts): string | undefined {
  const h = s.holdover;
  if (!h.active || h.boundS === null) return undefined;
  // The HD44780's ROM has µ but no ±: "<" reads as "error below".
  return `hold ${shortAge(h.ageS ?? 0)} <${formatBound(h.boundS)}`;
}

/** "850µs", "12ms", "1.2s": the bound in at most 6 characters. */
function formatBound(s: number): string {
  if (s < 1e-3) return `${Math.max(1, Math.round(s * 1e6))}µs`;
  if (s < 1) return `${s < 0.01 ? (s * 1e3).toFixed(1) : Math.round(s * 1e3)}ms`;
  return `${s.toFixed(1)}s`;
}

export function alarmConditions(s: SnapshotFacts, nowUs: number): AlarmCondition[] {
  const out = [...receiverAlarms(s, nowUs), ...neighbourAlarms(s)];
  const hint = holdoverHint(s);
  if (!hint) return out;
  const detail = `; chrony holds over on the Pi's clock since ${s.holdover.since}, serving within ±${formatBound(s.holdover.boundS ?? 0)}${s.holdover.leftS !== null ? `, for ${s.holdover.leftS} s more (holdover.trust)` : ""}`;
  return out.map((a) => (a.id === "no-gps-data" || a.id === "no-fix" || a.id === "no-pps" ? { ...a, hint, detail: a.detail + detail } : a));
}

/** The fleet gate's and the updater's alarms, after the time's own: they follow from it or stand beside it. */
function neighbourAlarms(s: SnapshotFacts): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  const f = s.fleet;
  if (f && f.state !== "healthy") {
    const since = f.since ? ` (since ${f.since})` : "";
    out.push(
      f.state === "degraded"
        ? {
            id: "fleet",
            title: "FLEET DEGR",
            hint: "backup path only",
            detail: `the fleet gate announces this node with the longer AS path, used only when no healthy node is left${since}: ${f.reason}`,
          }
        : {
            id: "fleet",
            title: "WITHDRAWN",
            hint: f.updatedAt === null ? "fleet gate down" : "not in anycast",
            detail: `this node's service addresses are withdrawn from the fleet${since}: ${f.reason}${f.holdDownLeftS !== null ? `; hold-down ${f.holdDownLeftS} s more` : ""}`,
          },
    );
  }
  const u = s.update;
  if (u?.rollback) out.push({ id: "update-rolled-back", title: "ROLLED BACK", hint: "update status", detail: rollbackDetail(u.rollback, u.version) });
  return out;
}

function receiverAlarms(s: SnapshotFacts, nowUs: number): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  const silent = receiverSilent(s, nowUs);
  if (silent) out.push(silent);
  if (s.antenna?.state === "short")
    out.push({
      id: "antenna-short",
      title: "ANT SHORT",
      hint: "antenna cable",
      detail: `the receiver reports a short circuit on the antenna supply (${s.antenna.source}): damaged cable or connector`,
    });
  if (s.antenna?.state === "open")
    out.push({ id: "antenna-open", title: "ANT OPEN", hint: "antenna cable", detail: `the receiver reports no antenna drawing current (${s.antenna.source}): cable unplugged or cut` });
  const refusedByReceiver = s.time.state === "receiver-invalid" || s.time.state === "no-fix";
  if (!silent && (refusedByReceiver || s.fix.mode === "none" || s.fix.mode === "dead-reckoning")) {
    out.push({
      id: "no-fix",
      title: "NO FIX",
      hint: "antenna/sky view",
      detail: `the receiver has no fix (${s.fix.mode}, ${s.fix.satellitesUsed ?? 0} satellites used, ${s.fix.satellitesSeen} seen): ${s.time.detail}`,
    });
  }
  // A receiver with a fix and a pulse whose date is refused (the week-rollover bug) would otherwise only show as "not synced".
  if (!silent && BAD_DATE_STATES.has(s.time.state)) {
    out.push({ id: "receiver-date", title: "WRONG DATE", hint: "GPS fw rollover?", detail: `the receiver's time is refused: ${s.time.detail}` });
  }
  // pps.edge=auto, and a verified clock puts every label a second away: the receiver's time names the other pulse.
  if (s.pps?.edge.basis === "contradicted") {
    out.push({
      id: "pps-edge",
      title: "PPS EDGE?",
      hint: "set pps.edge",
      detail: `pulses refused: ${s.pps.detail}. A receiver whose time names the next pulse needs pps.edge=before; one documented to follow its pulse (u-blox, MediaTek, SiRF, Quectel) pps.edge=after`,
    });
  }
  // A pulse is expected only from a receiver that talks and has a fix: most receivers keep their pulse off without one, which NO FIX already says.
  const pulseGoneS = ageS(s.pps?.lastPulseAt ?? null, nowUs);
  const fixLost = out.some((a) => a.id === "no-fix");
  if (s.pps && !silent && !fixLost && s.device.lastReportAt !== null && pulseGoneS > NO_PULSE_S) {
    const problem = s.pps.sources.find((x) => x.problem)?.problem;
    const what = s.pps.lastPulseAt === null ? "no pulse edge seen yet" : `no pulse edge for ${Math.round(pulseGoneS)} s while the receiver has a fix`;
    out.push({
      id: "no-pps",
      title: "NO PPS",
      hint: problem ? "pps device?" : "PPS wire/GPIO?",
      detail: `${what}: ${problem ?? "is the PPS wire on the configured pin, and the receiver's time pulse on?"}`,
    });
  }
  if (!silent) out.push(...receiverHealthAlarms(s));
  if (s.chrony && !s.chrony.reachable && s.chrony.error) out.push({ id: "chrony-unreachable", title: "CHRONY DOWN", hint: "systemctl chrony", detail: s.chrony.error });
  if (s.chrony?.tracking?.leap === "unsynchronised") out.push(notSynced(s));
  const causes = degradedCauses(s, nowUs);
  if (causes.length > 0) out.push({ id: "degraded", title: "DEGRADED", hint: causes[0]!.slice(0, 16), detail: causes.join("; ") });
  const pending = leapPending(s);
  if (pending) out.push(pending);
  const list = s.leap.list;
  const listTrouble = list
    ? (list.problem ?? list.disagreement ?? (list.expired ? `${list.path} expired on ${list.expires?.slice(0, 10)}: it cannot know of a leap second announced since` : null))
    : null;
  if (listTrouble) out.push({ id: "leap-list", title: "LEAP LIST", hint: list?.disagreement ? "list/receiver?" : "update tzdata", detail: `leap second list: ${listTrouble}` });
  return out;
}

/** chrony has no source; while the receiver's UTC is waited for, that is the first thing to read on the glass, with the time left. */
function notSynced(s: SnapshotFacts): AlarmCondition {
  const h = s.holdover;
  if (h.expiredAt !== null && h.limitS !== null) {
    return {
      id: "chrony-unsynchronised",
      title: "NOT SYNCED",
      hint: "holdover ended",
      detail: `chrony held over on the Pi's clock for holdover.trust (${h.limitS} s) without a source and stopped serving at ${h.expiredAt}: clients see leap 3 and move to other servers until the receiver is back`,
    };
  }
  const detail = "chrony is not synchronised to any source: clients get no time from this box (stratum 16)";
  if (s.time.state === "utc-holdoff") return { id: "chrony-unsynchronised", title: "NOT SYNCED", hint: `UTC wait ${s.time.utcHoldoffLeftS ?? "?"}s`, detail: `${detail}; ${s.time.detail}` };
  if (s.time.state === "utc-unconfirmed") return { id: "chrony-unsynchronised", title: "NOT SYNCED", hint: "UTC unconfirmed", detail: `${detail}; ${s.time.detail}` };
  return { id: "chrony-unsynchronised", title: "NOT SYNCED", hint: "chrony no source", detail };
}

/** A leap second ahead: the one the receiver announces or the list has (with its date), else the one chrony has scheduled for today. */
function leapPending(s: SnapshotFacts): AlarmCondition | undefined {
  const p = s.leap.pending;
  if (p) {
    return {
      id: "leap-pending",
      title: "LEAP SECOND",
      hint: `${p.kind === "insert" ? "+1s" : "-1s"} end of ${p.day.slice(5)}`,
      detail: `${p.by === "receiver" ? `the receiver announces a leap second (${p.source})` : `the leap second list (${p.source}) has a leap second`}: ${p.kind === "insert" ? "23:59:60 inserted" : "23:59:59 deleted"} at the end of ${p.day} UTC; ${p.by === "receiver" ? "the box flags it to chrony on that day" : "chrony reads the same list"}`,
    };
  }
  const leap = s.chrony?.tracking?.leap;
  if (leap === "insert" || leap === "delete") {
    return {
      id: "leap-pending",
      title: "LEAP SECOND",
      hint: leap === "insert" ? "+1s at 23:59:60" : "-1s at 23:59:59",
      detail: `chrony: a leap second will be ${leap === "insert" ? "inserted" : "deleted"} at the end of this UTC day`,
    };
  }
  return undefined;
}

/** Raises a condition once it has held RAISE_AFTER_S, clears it at once, and logs both. */
export class AlarmTracker {
  private pending = new Map<AlarmId, number>();
  private active = new Map<AlarmId, Alarm>();

  constructor(private readonly log: Logger) {}

  update(conditions: readonly AlarmCondition[], nowUs: number): Alarm[] {
    const present = new Set(conditions.map((c) => c.id));
    for (const [id, alarm] of this.active) {
      if (present.has(id)) continue;
      this.active.delete(id);
      this.log.info(`alarm cleared: ${alarm.title.toLowerCase()}`);
    }
    for (const id of this.pending.keys()) if (!present.has(id)) this.pending.delete(id);
    const out: Alarm[] = [];
    for (const c of conditions) {
      const firstUs = this.pending.get(c.id) ?? nowUs;
      this.pending.set(c.id, firstUs);
      if (nowUs - firstUs < RAISE_AFTER_S * 1e6) continue;
      let a = this.active.get(c.id);
      if (!a) {
        a = { ...c, since: new Date(firstUs / 1000).toISOString() };
        this.active.set(c.id, a);
        this.log.warn(`alarm: ${c.title.toLowerCase()}: ${c.detail}`);
      } else {
        // The wording follows the cause (e.g. no data, then data that does not decode).
        a = { ...c, since: a.since };
        this.active.set(c.id, a);
      }
      out.push(a);
    }
    return out;
  }
}
