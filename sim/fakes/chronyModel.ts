/*
 * A small chronyd for virtual time: it takes the SOCK samples the service
 * sends (through CollectingDatagrams), keeps each refclock's reach register
 * per poll as chronyd does, selects the first selectable refclock in the
 * order given (PPS before NMEA, NMEA noselect beside a PPS, as the box's
 * chrony.conf has them) and answers tracking, sources and server statistics.
 * It models what the panel, the status and the alarms read, not chrony's
 * filters: offsets are the median of the last poll's samples, the root
 * dispersion grows at maxclockerror (5 ppm, as the box's chrony.conf has
 * it) from the last update, and with fallbackdrift chronyd gives up after
 * that long without an update once it was synchronised for twice as long. With an
 * upstream NTP server (a box with `server` lines), chronyd is synchronised
 * to it, one stratum below, whenever no refclock is selectable.
 */
import type { ChronyServerStats } from "../../src/chrony/cmdmon/views.js";
import type { ChronySource, ChronyTracking } from "../../src/status/contract.js";
import type { SOURCE_STATE } from "../../src/chrony/cmdmon/sources.js";
import { refidFromString } from "../../src/chrony/cmdmon/wire.js";
import type { CommandChannel } from "../../src/hal/commandChannel.js";
import type { Clock } from "../../src/hal/clock.js";
import type { CollectingDatagrams, SentSample } from "./collectingDatagrams.js";
import { client, FakeChronyd, type FakeChronydModel, refclockSource, serverSource } from "./fakeChronyd.js";

export interface ModelRefclock {
  refid: string;
  path: string;
  noselect: boolean;
  pollS: number;
}

export interface ModelUpstream {
  /** The server's IPv4 address (several servers: the first's, counted up). */
  address: string;
  stratum: number;
  /**
   * Several servers that agree on true time: each measures the local clock's
   * real error (its offset from true time, as the virtual clock knows it).
   * Without it, one server with a token offset.
   */
  servers?: { count: number; localErrorS: () => number };
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
  private reference: { refid: string; atUs: number; offsetS: number; leap: number; server?: ModelUpstream } | undefined;
  private stopped = false;
  ntp = { received: 0, dropped: 0 };
  clients = 0;

  constructor(
    private readonly clock: Clock,
    private readonly refclocks: readonly ModelRefclock[],
    /** An NTP server chronyd can fall back to; settable, as a network comes and goes. */
    public upstream?: ModelUpstream,
    /** fallbackdrift's interval, s (holdover.trust as chrony counts it): unsynchronised after that long without an update, once armed. */
    private readonly fallbackS?: number,
  ) {}

  /** Since when chronyd has been synchronised without a gap longer than the fallback interval. */
  private syncedSinceUs: number | undefined;

  /** chronyd stopped (queries fail as chronyc's would) or started again: a new chronyd knows nothing of its sources yet. */
  get down(): boolean {
    return this.stopped;
  }

  set down(stopped: boolean) {
    this.stopped = stopped;
    if (stopped) {
      this.heard.clear();
      this.reference = undefined;
      this.syncedSinceUs = undefined;
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
      refId: r.server ? Buffer.from(r.server.address.split(".").map(Number)).toString("hex").toUpperCase() : refIdHex(r.refid),
      refName: r.refid,
      stratum: r.server ? r.server.stratum + 1 : 1,
      systemOffsetS: -r.offsetS,
      lastOffsetS: -r.offsetS,
      rmsOffsetS: Math.abs(r.offsetS),
      frequencyPpm: -1.5,
      skewPpm: 0.02,
      rootDelayS: 1e-9,
      rootDispersionS: 1e-6 + sinceS * 5.02e-6,
      leap,
    };
  }

  sources(): ChronySource[] {
    this.update();
    const up = this.upstream;
    const offsetS = up?.servers ? up.servers.localErrorS() + 1e-4 : 1e-4;
    const server: ChronySource[] = up
      ? Array.from({ length: up.servers?.count ?? 1 }, (_, i) => ({
          mode: "^",
          state: this.reference?.server && i === 0 ? "*" : "+",
          name: i === 0 ? up.address : up.address.replace(/\d+$/, (n) => String(Number(n) + i)),
          stratum: up.stratum,
          poll: 6,
          reach: 255,
          lastRxAgoS: 30,
          lastOffsetS: offsetS,
          measuredOffsetS: offsetS,
          errorS: 1e-3,
        }))
      : [];
    return this.refclocks
      .map((c): ChronySource => {
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
      })
      .concat(server);
  }

  serverStats(): ChronyServerStats {
    return { ntpReceived: this.ntp.received, ntpDropped: this.ntp.dropped, commandReceived: 0, commandDropped: 0 };
  }

  /**
   * chronyd's two command sockets, answering from this model at the byte
   * level: the UDP face (monitoring requests only) and the unix control
   * socket. A stopped model's sockets refuse as a stopped chronyd's do.
   */
  channels(): { monitoring: CommandChannel; control: CommandChannel } {
    const face = (kind: "udp" | "unix"): CommandChannel => {
      const fake = new FakeChronyd(kind, this.cmdmonModel());
      return {
        name: fake.name,
        send: (request) => {
          fake.model = this.cmdmonModel();
          fake.running = !this.stopped;
          fake.send(request);
        },
        onReply: (cb) => fake.onReply(cb),
        onError: (cb) => fake.onError(cb),
        close: () => fake.close(),
      };
    };
    return { monitoring: face("udp"), control: face("unix") };
  }

  /** The model as chronyd's reports hold it. */
  private cmdmonModel(): FakeChronydModel {
    const t = this.tracking();
    const refTimeUs = this.reference?.atUs ?? 0;
    const leapStatus = { normal: 0, insert: 1, delete: 2, unsynchronised: 3 }[t.leap];
    const state = (s: string): keyof typeof SOURCE_STATE => (s === "*" ? "selected" : s === "-" ? "nonselectable" : s === "+" ? "selectable" : "unselected");
    const server = this.reference?.server;
    return {
      tracking: {
        refId: server ? Number.parseInt(t.refId, 16) : t.refName ? refidFromString(t.refName) : 0,
        address: server ? { family: "inet4", address: server.address } : { family: "unspec" },
        stratum: t.stratum,
        leapStatus,
        refTime: { sec: Math.floor(refTimeUs / 1e6), nsec: Math.round((refTimeUs % 1e6) * 1000) },
        currentCorrectionS: -t.systemOffsetS,
        lastOffsetS: t.lastOffsetS,
        rmsOffsetS: t.rmsOffsetS,
        freqPpm: t.frequencyPpm,
        residFreqPpm: 0,
        skewPpm: t.skewPpm,
        rootDelayS: t.rootDelayS,
        rootDispersionS: t.rootDispersionS,
        lastUpdateIntervalS: 4,
      },
      sources: this.sources().map((x) => {
        const figures = { state: state(x.state), poll: x.poll, reach: x.reach, lastRxAgoS: x.lastRxAgoS, offsetS: x.lastOffsetS, measuredOffsetS: x.measuredOffsetS, errorS: x.errorS };
        return x.mode === "^" ? serverSource(x.name, { ...figures, stratum: x.stratum }) : refclockSource(x.name, figures);
      }),
      activity: { online: 0, offline: 0, burstOnline: 0, burstOffline: 0, unresolved: 0 },
      serverStats: {
        ntpHits: this.ntp.received,
        nkeHits: 0,
        cmdHits: 0,
        ntpDrops: this.ntp.dropped,
        nkeDrops: 0,
        cmdDrops: 0,
        logDrops: 0,
        ntpAuthHits: 0,
        ntpInterleavedHits: 0,
        ntpTimestamps: 0,
        ntpSpanS: 0,
      },
      clients: Array.from({ length: this.clients }, (_, i) => client(`192.0.2.${i + 1}`, { ntpHits: 10, lastNtpAgoS: 30 })),
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
      // With network servers to outvote it, a refclock a large fraction of a second off is a falseticker, never selected.
      if (this.upstream && Math.abs(sorted[Math.floor(sorted.length / 2)]!) > 0.1) continue;
      this.reference = { refid: c.refid, atUs: heard[heard.length - 1]!.atUs, offsetS: sorted[Math.floor(sorted.length / 2)]!, leap: heard[heard.length - 1]!.leap };
      this.syncedSinceUs ??= this.reference.atUs;
      return;
    }
    const r = this.reference;
    if (r && !r.server && this.fallbackS !== undefined && this.syncedSinceUs !== undefined) {
      const nowUs = this.clock.realtimeUs();
      const armed = r.atUs - this.syncedSinceUs >= 2 * this.fallbackS * 1e6;
      if (nowUs - r.atUs >= this.fallbackS * 1e6) {
        // chronyd's fallback drift timeout: unsynchronised if armed; either way the next lock starts a new count.
        this.syncedSinceUs = undefined;
        if (armed) this.reference = undefined;
      }
    }
    // Nothing of its own selectable: a server keeps chronyd synchronised (at what the host clock reads, offset 0).
    if (this.upstream && (!this.reference || this.reference.server || this.clock.realtimeUs() - this.reference.atUs > 30e6)) {
      this.reference = { refid: this.upstream.address, atUs: this.clock.realtimeUs(), offsetS: 0, leap: 0, server: this.upstream };
    }
  }
}

/** chrony's reference ID of a refclock: its refid's ASCII, in hex, padded to 4 bytes. */
const refIdHex = (refid: string): string => Buffer.from(refid.padEnd(4, "\0").slice(0, 4), "latin1").toString("hex").toUpperCase();
