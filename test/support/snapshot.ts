/* Status snapshots of a box in a known condition, built through the product's own snapshot builder, for the panel and alarm tests. */
import { alarmConditions } from "../../src/status/alarms.js";
import type { ChronyStatus, PpsStatus, SnapshotFacts, StatusSnapshot } from "../../src/status/contract.js";
import { Health } from "../../src/status/health.js";
import { completeSnapshot, snapshotFacts } from "../../src/status/snapshot.js";

const iso = (us: number): string => new Date(us / 1000).toISOString();

export function lockedPps(nowUs: number): PpsStatus {
  return {
    state: "locked",
    detail: "labelling every pulse",
    since: iso(nowUs - 600e6),
    edgeMode: "auto",
    edge: { direction: "after", basis: "verified" },
    refusing: null,
    qErr: null,
    sources: [{ name: "kernel PPS /sys/class/pps/pps0", stamping: "kernel", problem: null, jitterUs: null }],
    delayMs: 102.4,
    delayJitterMs: 0.3,
    counts: { edges: 600, labelled: 596, labelledByCount: 0, missedEdges: 0, spuriousEdges: 0 },
    refused: {},
    lastUtc: iso(Math.floor(nowUs / 1e6) * 1e6),
    lastEdgeAt: iso(Math.floor(nowUs / 1e6) * 1e6),
    lastPulseAt: iso(Math.floor(nowUs / 1e6) * 1e6),
    lastOffsetS: 1.5e-6,
    crossCheck: null,
    recentEdges: [],
    sinks: {},
  };
}

export function chronyOnPps(nowUs: number): ChronyStatus {
  const pps = { mode: "#", state: "*", name: "PPS", stratum: 0, poll: 4, reach: 0o377, lastRxAgoS: 3, lastOffsetS: -4.2e-8, measuredOffsetS: -4.1e-8, errorS: 3e-7 };
  return {
    reachable: true,
    error: null,
    updatedAt: iso(nowUs),
    tracking: {
      refId: "50505300",
      refName: "PPS",
      stratum: 1,
      systemOffsetS: 2e-8,
      lastOffsetS: 1.23e-7,
      rmsOffsetS: 4.56e-7,
      frequencyPpm: -12.3,
      skewPpm: 0.01,
      rootDelayS: 1e-9,
      rootDispersionS: 1.2e-5,
      leap: "normal",
    },
    selected: pps,
    sources: [pps],
    ntp: { received: 123456, dropped: 0, perSecond: 42.5, clients: 317 },
    ntpUnavailable: null,
  };
}

/** The snapshot of these facts with every alarm their conditions raise active, as if held for a minute. */
export function withHeldAlarms(facts: SnapshotFacts, nowUs: number): StatusSnapshot {
  const since = new Date(nowUs / 1000 - 60_000).toISOString();
  return completeSnapshot(
    facts,
    alarmConditions(facts, nowUs).map((c) => ({ ...c, since })),
    nowUs,
  );
}

/** A healthy box: receiver talking with a 3D fix, pulse labelled, chrony on PPS at stratum 1. */
export function healthySnapshot(nowUs: number): StatusSnapshot {
  return withHeldAlarms(healthyFacts(nowUs), nowUs);
}

/** The facts of a healthy box, for a test to change before the alarms and the summary are derived. */
export function healthyFacts(nowUs: number): SnapshotFacts {
  const h = new Health();
  h.device = { state: "open", detail: "open at 9600 baud", sinceUs: nowUs - 3600e6 };
  h.time = { state: "ok", detail: "labelled", sinceUs: nowUs - 3500e6 };
  h.fix = { mode: "3d", satellitesUsed: 9, satellitesSeen: { GP: 8, GL: 6 } };
  h.last = { bytesUs: nowUs - 100_000, reportUs: nowUs - 100_000, utcSecond: Math.floor(nowUs / 1e6), offsetS: 0.1 };
  h.antenna = { state: "ok", source: "UBX-MON-HW", sinceUs: nowUs - 3600e6 };
  return snapshotFacts(
    {
      health: h,
      device: { path: "/dev/serial0", baud: 9600 },
      sinks: [],
      pps: lockedPps(nowUs),
      chrony: chronyOnPps(nowUs),
      host: { address: "192.168.1.50", iface: "eth0", cpuTempC: 47.6, uptimeS: 3 * 86400 + 4 * 3600 + 5 * 60 },
      lcd: null,
      startedUs: nowUs - 3600e6,
      statusWriteError: null,
      faults: {},
    },
    nowUs,
  );
}
