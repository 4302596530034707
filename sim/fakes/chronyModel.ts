/*
 * A small chronyd for virtual time: it takes the SOCK samples the service
 * sends (through CollectingDatagrams), keeps each refclock's reach register
 * per poll as chronyd does, selects the first selectable refclock in the
 * order given (PPS before NMEA, NMEA noselect beside a PPS, as the box's
 * chrony.conf has them) and answers tracking, sources and server statistics.
 * It models what the panel, the status and the alarms read, not chrony's
 * filters: offsets are the median of the last poll's samples, the root
 * dispersion grows at 1 ppm plus 1 µs/s from the last update.
 */
import type { ChronyServerStats } from "../../src/chrony/chronycCsv.js";
import type { ChronySource, ChronyTracking } from "../../src/status/contract.js";
import type { ChronyQuery } from "../../src/hal/chronyChannel.js";
import type { Clock } from "../../src/hal/clock.js";
import type { CollectingDatagrams, SentSample } from "./collectingDatagrams.js";

export interface ModelRefclock {
  refid: string;
  path: string;
  noselect: boolean;
  pollS: number;
}

interface Heard {
  atUs: number;
  offsetS: number;
  leap: number;
}

/** Polls in a row with samples before a refclock is selectable. */
const SELECT_AFTER_POLLS = 3;

export class ChronyModel {
  private readonly heard = new Map<string, Heard[]>();
  private reference: { refid: string; atUs: number; offsetS: number; leap: number } | undefined;
  private stopped = false;
  ntp = { received: 0, dropped: 0 };
  clients = 0;

  constructor(
    private readonly clock: Clock,
    private readonly refclocks: readonly ModelRefclock[],
  ) {}

  /** chronyd stopped (queries fail as chronyc's would) or started again: a new chronyd knows nothing of its sources yet. */
  get down(): boolean {
    return this.stopped;
  }

  set down(stopped: boolean) {
    this.stopped = stopped;
    if (stopped) {
      this.heard.clear();
      this.reference = undefined;
    }
  }

  listen(datagrams: CollectingDatagrams): void {
    datagrams.listeners.push((path, s) => this.sample(path, s));
  }

  tracking(): ChronyTracking {
    this.update();
    const r = this.reference;
    if (!r)
      return { refId: "00000000", refName: "", stratum: 0, systemOffsetS: 0, lastOffsetS: 0, rmsOffsetS: 0, frequencyPpm: 0, skewPpm: 0, rootDelayS: 0, rootDispersionS: 0, leap: "unsynchronised" };
    const sinceS = (this.clock.realtimeUs() - r.atUs) / 1e6;
    const leap = r.leap === 1 ? "insert" : r.leap === 2 ? "delete" : "normal";
    return {
      refId: refIdHex(r.refid),
      refName: r.refid,
      stratum: 1,
      systemOffsetS: -r.offsetS,
      lastOffsetS: -r.offsetS,
      rmsOffsetS: Math.abs(r.offsetS),
      frequencyPpm: -1.5,
      skewPpm: 0.02,
      rootDelayS: 1e-9,
      rootDispersionS: 1e-6 + sinceS * 2e-6,
      leap,
    };
  }

  sources(): ChronySource[] {
    this.update();
    return this.refclocks.map((c) => {
      const heard = this.heard.get(c.path) ?? [];
      const last = heard[heard.length - 1];
      const reach = this.reach(c);
      const state = this.reference?.refid === c.refid && reach !== 0 ? "*" : c.noselect ? "-" : reach === 0 ? "?" : "+";
      const off = last ? -last.offsetS : 0;
      return {
        mode: "#",
        state,
        name: c.refid,
        stratum: 0,
        poll: Math.log2(c.pollS),
        reach,
        lastRxAgoS: last ? Math.round((this.clock.realtimeUs() - last.atUs) / 1e6) : null,
        lastOffsetS: off,
        measuredOffsetS: off,
        errorS: 1e-7,
      };
    });
  }

  serverStats(): ChronyServerStats {
    return { ntpReceived: this.ntp.received, ntpDropped: this.ntp.dropped, commandReceived: 0, commandDropped: 0 };
  }

  /** What `chronyc -c` would print, for the service's ChronyMonitor. */
  query(): ChronyQuery {
    return async (args) => {
      if (this.stopped) throw new Error("chronyd not reachable on (model): is chrony running?");
      switch (args[0]) {
        case "tracking": {
          const t = this.tracking();
          const leap = { normal: "Normal", insert: "Insert second", delete: "Delete second", unsynchronised: "Not synchronised" }[t.leap];
          return `${t.refId},${t.refName},${t.stratum},0.0,${t.systemOffsetS},${t.lastOffsetS},${t.rmsOffsetS},${t.frequencyPpm},0.0,${t.skewPpm},${t.rootDelayS},${t.rootDispersionS},16.0,${leap}\n`;
        }
        case "sources":
          return this.sources()
            .map((s) => `${s.mode},${s.state},${s.name},${s.stratum},${s.poll},${s.reach.toString(8)},${s.lastRxAgoS ?? "-"},${s.lastOffsetS},${s.measuredOffsetS},${s.errorS}`)
            .join("\n");
        case "serverstats":
          return `${this.ntp.received},${this.ntp.dropped},0,0,0,0,0,0,0\n`;
        case "clients":
          return Array.from({ length: this.clients }, (_, i) => `192.0.2.${i + 1},10,0,6,-,30,0,0,-,-`).join("\n");
        default:
          throw new Error(`chronyc ${args.join(" ")}: unknown command`);
      }
    };
  }

  private sample(path: string, s: SentSample): void {
    if (this.stopped) return;
    const list = this.heard.get(path) ?? [];
    list.push({ atUs: this.clock.realtimeUs(), offsetS: s.offset, leap: s.leap });
    // A few minutes of samples are all the reach register and the offsets look at.
    while (list.length > 0 && this.clock.realtimeUs() - list[0]!.atUs > 300e6) list.shift();
    this.heard.set(path, list);
  }

  /** Bit 0 is the poll that ended last; set when that poll had a sample. */
  private reach(c: ModelRefclock): number {
    const heard = this.heard.get(c.path) ?? [];
    const nowUs = this.clock.realtimeUs();
    const pollUs = c.pollS * 1e6;
    const end = Math.floor(nowUs / pollUs) * pollUs;
    let reach = 0;
    for (let i = 0; i < 8; i++) {
      const from = end - (i + 1) * pollUs;
      const to = end - i * pollUs;
      if (heard.some((h) => h.atUs >= from && h.atUs < to)) reach |= 1 << i;
    }
    return reach;
  }

  private update(): void {
    for (const c of this.refclocks) {
      if (c.noselect) continue;
      const reach = this.reach(c);
      const streak = (reach & ((1 << SELECT_AFTER_POLLS) - 1)) === (1 << SELECT_AFTER_POLLS) - 1;
      if (!streak) continue;
      const heard = this.heard.get(c.path) ?? [];
      const pollUs = c.pollS * 1e6;
      const recent = heard.filter((h) => h.atUs >= this.clock.realtimeUs() - pollUs).map((h) => h.offsetS);
      if (recent.length === 0) continue;
      const sorted = [...recent].sort((a, b) => a - b);
      this.reference = { refid: c.refid, atUs: heard[heard.length - 1]!.atUs, offsetS: sorted[Math.floor(sorted.length / 2)]!, leap: heard[heard.length - 1]!.leap };
      return;
    }
  }
}

/** chrony's reference ID of a refclock: its refid's ASCII, in hex, padded to 4 bytes. */
const refIdHex = (refid: string): string => Buffer.from(refid.padEnd(4, "\0").slice(0, 4), "latin1").toString("hex").toUpperCase();
