/*
 * A chronyd command socket at the byte level, for tests in virtual time: a
 * CommandChannel that reads each request as chronyd's read_from_cmd_socket()
 * does (cmdmon.c) and answers from a small model of chronyd's state with
 * correctly laid-out reply packets. The client under test cannot tell it
 * from a chronyd on the other end of a socket, so the service's tests plug
 * it in where the Linux hardware has a UDP or unix channel.
 *
 * It is chronyd 4.6 (Debian 13, what the box runs) or 4.3 (Debian 12), as
 * `chrony` says; the two differ here where the real ones do (candm.h,
 * pktlength.c): serverstats is SERVER_STATS4 (reply 25, 64-bit counters,
 * request padded to 196 bytes) in 4.6 and SERVER_STATS3 (reply 24, 72
 * bytes) in 4.3, and 4.6 knows request codes up to 74 (4.3: 71) and no
 * longer serves LOCAL2 (56).
 *
 * As chronyd:
 *  - a request shorter than a reply header or longer than chronyd's
 *    CMD_Request (860 bytes), or not a request (pkt_type, reserved bytes),
 *    is dropped without an answer;
 *  - a version other than 6 gets BADPKTVERSION (versions 5 and up) or
 *    nothing (older);
 *  - a known command shorter than its padded length (that of the reply this
 *    version sends) gets BADPKTLENGTH, a longer one is answered; an unknown
 *    command gets INVALID;
 *  - on the "udp" face every request but the monitoring ones gets UNAUTH
 *    (501 Not authorised), as chronyd's UDP command port does; the "unix"
 *    face, like the control socket, answers all;
 *  - no reply is ever longer than its request (the anti-amplification rule).
 * Replies arrive in a later microtask, never from inside send(): the client
 * sees them as it would see a socket's, and virtual time need not move.
 *
 * For tests of bad replies, `tamper` may rewrite or swallow each reply, and
 * `running = false` makes it behave like a stopped chronyd (every send
 * reports ECONNREFUSED).
 */
import type { CommandChannel } from "../../src/hal/commandChannel.js";
import { ACTIVITY, type ChronyActivity } from "../../src/chrony/cmdmon/activity.js";
import { CLIENT_ACCESSES, CLIENTS_PER_PAGE, type ClientAccessesPage, type ClientAccessesRequest, type ClientAccessReport } from "../../src/chrony/cmdmon/clientAccesses.js";
import { MONITORING_REQUESTS, Req, Rpy, Stt } from "../../src/chrony/cmdmon/codes.js";
import {
  buildReply,
  paddedLength,
  PKT_TYPE_REQUEST,
  PROTO_VERSION,
  readRequestHeader,
  REPLY_HEADER_LENGTH,
  replyData,
  requestData,
  type Exchange,
  type ReplyLayout,
  type RequestHeader,
} from "../../src/chrony/cmdmon/packet.js";
import { SERVER_STATS, SERVER_STATS3, SERVER_STATS4, type ServerStatsReport } from "../../src/chrony/cmdmon/serverStats.js";
import { N_SOURCES, NO_SAMPLE, SOURCE_DATA, SOURCE_MODE, SOURCE_STATE, type SourceReport } from "../../src/chrony/cmdmon/sources.js";
import { SOURCESTATS, type SourceStatsReport } from "../../src/chrony/cmdmon/sourceStats.js";
import { TRACKING, type TrackingReport } from "../../src/chrony/cmdmon/tracking.js";
import { ipv4FromString, ipv4ToString, refidFromString, type IpAddr } from "../../src/chrony/cmdmon/wire.js";

export type FakeFace = "udp" | "unix";

/** The chronyd versions the fake can be, byte for byte. */
export type FakeChronyVersion = "4.3" | "4.6";

/** One source as chronyd holds it: its SOURCE_DATA and its SOURCESTATS report. */
export interface FakeSource {
  data: SourceReport;
  stats: SourceStatsReport;
}

export interface FakeChronydModel {
  tracking: TrackingReport;
  sources: FakeSource[];
  activity: ChronyActivity;
  serverStats: ServerStatsReport;
  /** The client log; null as with 'noclientlog' (the list is answered 519). */
  clients: ClientAccessReport[] | null;
}

export interface FakeRequest {
  command: number;
  attempt: number;
  sequence: number;
  length: number;
  /** The status answered, or null when dropped without an answer. */
  status: number | null;
}

/** A reply ready to send, or null: chronyd would stay silent. */
type Answer = Buffer | null;

/** sizeof (CMD_Request): the longest request chronyd takes, 860 bytes in 4.3 and 4.6 alike. */
const MAX_REQUEST_LENGTH = 860;

/** What tells one chronyd version from another on the command socket. */
interface VersionProfile {
  /** N_REQUEST_TYPES − 1: any code above is 502 Invalid command. */
  lastRequestCode: number;
  /** Codes pktlength.c has no length for ("not supported"): 502 as well. */
  notSupported: ReadonlySet<number>;
  /**
   * The layout serverstats is answered with: the fake's own knowledge, not
   * the client's list of what it reads, so a client that lost a layout (or
   * pads too little for it) fails against the fake as against chronyd.
   */
  serverStats: ReplyLayout<ServerStatsReport>;
}

const RETIRED_IN_4_3 = [12, 27, 28, 32, 38, 39, 40, 55, 58, 59, 60, 61];

const PROFILES: Record<FakeChronyVersion, VersionProfile> = {
  "4.3": { lastRequestCode: 71, notSupported: new Set(RETIRED_IN_4_3), serverStats: SERVER_STATS3 },
  // 4.4 added MODIFY_SELECTOPTS (72), 4.6 MODIFY_OFFSET (73) and LOCAL3 (74), retiring LOCAL2 (56).
  "4.6": { lastRequestCode: 74, notSupported: new Set([...RETIRED_IN_4_3, 56]), serverStats: SERVER_STATS4 },
};

export interface FakeChronydOptions {
  /** Which chronyd to be (default 4.6, Debian 13's). */
  chrony?: FakeChronyVersion;
  name?: string;
}

const MODELLED: ReadonlyMap<number, Exchange<unknown, unknown>> = new Map(
  [N_SOURCES, SOURCE_DATA, TRACKING, SOURCESTATS, ACTIVITY, SERVER_STATS, CLIENT_ACCESSES].map((ex) => [ex.command, ex as Exchange<unknown, unknown>]),
);

export class FakeChronyd implements CommandChannel {
  readonly name: string;
  model: FakeChronydModel;
  /** The chronyd version answering; a test may change it, as an upgrade restarts chronyd under a running client. */
  chrony: FakeChronyVersion;
  running = true;
  tamper: ((reply: Buffer, request: Buffer) => Buffer | Buffer[] | null) | undefined;
  /** Every request received, in order: what a test checks resends and attempts against. */
  readonly received: FakeRequest[] = [];
  private replyCb: (reply: Buffer) => void = () => undefined;
  private errorCb: (message: string) => void = () => undefined;
  private closed = false;

  constructor(
    readonly face: FakeFace,
    model: FakeChronydModel = gpsBoxModel(),
    opts: FakeChronydOptions = {},
  ) {
    this.model = model;
    this.chrony = opts.chrony ?? "4.6";
    this.name = opts.name ?? (face === "udp" ? "udp 127.0.0.1:323 (fake chronyd)" : "unix /run/chrony/chronyd.sock (fake chronyd)");
  }

  /** The reply layout this version answers an exchange with, and so the length its request must be padded to. */
  layout(ex: Exchange<unknown, unknown>): ReplyLayout<unknown> {
    // Only serverstats changed layout within 4.x; the others are the same bytes in every version.
    if (ex.command === Req.SERVER_STATS) return PROFILES[this.chrony].serverStats as ReplyLayout<unknown>;
    return ex.replies[0];
  }

  send(request: Buffer): void {
    if (this.closed) return;
    const copy = Buffer.from(request);
    queueMicrotask(() => {
      if (this.closed) return;
      if (!this.running) return this.errorCb(`nothing listens on ${this.name} (ECONNREFUSED): is chronyd running?`);
      const answer = this.answer(copy);
      if (!answer) return;
      const out = this.tamper ? this.tamper(answer, copy) : answer;
      for (const reply of out === null ? [] : Array.isArray(out) ? out : [out]) this.replyCb(reply);
    });
  }

  onReply(cb: (reply: Buffer) => void): void {
    this.replyCb = cb;
  }

  onError(cb: (message: string) => void): void {
    this.errorCb = cb;
  }

  close(): void {
    this.closed = true;
  }

  /** chronyd's answer to one request datagram (null: dropped without a word). */
  answer(request: Buffer): Answer {
    const h = readRequestHeader(request);
    // Shorter than an error reply (28 bytes), an answer would amplify; longer than a CMD_Request, it is nothing chronyd knows: both are dropped first.
    if (!h || request.length < REPLY_HEADER_LENGTH || request.length > MAX_REQUEST_LENGTH || h.pktType !== PKT_TYPE_REQUEST || h.reserved !== 0) return null;
    const { status, version = PROTO_VERSION, ex, content } = this.decide(h, request);
    this.received.push({ command: h.command, attempt: h.attempt, sequence: h.sequence, length: request.length, status });
    if (status === null) return null;
    const layout = ex && this.layout(ex);
    const out = buildReply(h, layout?.reply ?? Rpy.NULL, status, layout?.dataLength ?? 0, version);
    if (layout && status === Stt.SUCCESS) layout.write(replyData(out), content);
    return out;
  }

  private decide(h: RequestHeader, request: Buffer): { status: number | null; version?: number; ex?: Exchange<unknown, unknown>; content?: unknown } {
    if (h.version !== PROTO_VERSION) return h.version >= 5 ? { status: Stt.BADPKTVERSION, version: PROTO_VERSION } : { status: null };
    const profile = PROFILES[this.chrony];
    if (h.command > profile.lastRequestCode || profile.notSupported.has(h.command)) return { status: Stt.INVALID };
    const ex = MODELLED.get(h.command);
    // Each version requires the padding of the reply it sends, no more: a longer request is answered.
    if (ex && request.length < paddedLength(ex, this.layout(ex))) return { status: Stt.BADPKTLENGTH };
    if (this.face === "udp" && !MONITORING_REQUESTS.has(h.command)) return { status: Stt.UNAUTH };
    if (h.command === Req.NULL) return { status: Stt.SUCCESS };
    if (!ex) return { status: Stt.FAILED };
    const result = this.handle(ex.command, ex.readRequest(requestData(request)));
    return "status" in result ? result : { status: Stt.SUCCESS, ex, content: result.content };
  }

  private handle(command: number, q: unknown): { content: unknown } | { status: number } {
    const m = this.model;
    const at = (i: number): FakeSource | undefined => m.sources[i];
    switch (command) {
      case Req.TRACKING:
        return { content: m.tracking };
      case Req.N_SOURCES:
        return { content: m.sources.length };
      case Req.SOURCE_DATA:
        return at(q as number) ? { content: at(q as number)!.data } : { status: Stt.NOSUCHSOURCE };
      case Req.SOURCESTATS:
        return at(q as number) ? { content: at(q as number)!.stats } : { status: Stt.NOSUCHSOURCE };
      case Req.ACTIVITY:
        return { content: m.activity };
      case Req.SERVER_STATS:
        return { content: m.serverStats };
      case Req.CLIENT_ACCESSES_BY_INDEX3:
        return this.clientPage(q as ClientAccessesRequest);
      default:
        return { status: Stt.FAILED };
    }
  }

  /** handle_client_accesses_by_index: the clients sit at the table's first indices; the table is a power of two, at least 16 slots. */
  private clientPage(q: ClientAccessesRequest): { content: ClientAccessesPage } | { status: number } {
    const clients = this.model.clients;
    if (!clients) return { status: Stt.INACTIVE };
    let nIndices = 16;
    while (nIndices < clients.length) nIndices *= 2;
    const max = Math.min(q.maxClients, CLIENTS_PER_PAGE);
    const page: ClientAccessReport[] = [];
    let i = q.firstIndex;
    for (; i < nIndices && page.length < max; i++) {
      const c = clients[i];
      if (!c) continue;
      if (q.minHits > 0 && Math.max(c.ntpHits, c.nkeHits, c.cmdHits) < q.minHits) continue;
      page.push(c);
    }
    return { content: { nIndices, nextIndex: i, clients: page } };
  }
}

/* ---- Building a model ---- */

const addressOf = (text: string): IpAddr => (text.includes(":") ? { family: "inet6", address: text } : { family: "inet4", address: text });

export interface SourceFigures {
  state: keyof typeof SOURCE_STATE;
  stratum: number;
  poll: number;
  reach: number;
  /** Seconds since the last sample; null: none yet. */
  lastRxAgoS: number | null;
  offsetS: number;
  measuredOffsetS: number;
  errorS: number;
  samples: number;
  runs: number;
  spanS: number;
  frequencyPpm: number;
  skewPpm: number;
  stdDevS: number;
}

const DEFAULT_FIGURES: SourceFigures = {
  state: "selectable",
  stratum: 0,
  poll: 4,
  reach: 0o377,
  lastRxAgoS: 3,
  offsetS: 0,
  measuredOffsetS: 0,
  errorS: 1e-6,
  samples: 8,
  runs: 5,
  spanS: 120,
  frequencyPpm: 0,
  skewPpm: 0.01,
  stdDevS: 1e-6,
};

function source(mode: number, dataAddress: IpAddr, statsRefId: number, statsAddress: IpAddr, f: SourceFigures): FakeSource {
  return {
    data: {
      address: dataAddress,
      poll: f.poll,
      stratum: f.stratum,
      state: SOURCE_STATE[f.state],
      mode,
      flags: 0,
      reachability: f.reach,
      sinceSampleS: f.lastRxAgoS ?? NO_SAMPLE,
      origLatestMeasS: f.measuredOffsetS,
      latestMeasS: f.offsetS,
      latestMeasErrS: f.errorS,
    },
    stats: {
      refId: statsRefId,
      address: statsAddress,
      samples: f.samples,
      runs: f.runs,
      spanS: f.spanS,
      sdS: f.stdDevS,
      residFreqPpm: f.frequencyPpm,
      skewPpm: f.skewPpm,
      estOffsetS: f.offsetS,
      estOffsetErrS: f.errorS,
    },
  };
}

/** A refclock as chronyd reports it: its refid where SOURCE_DATA has an address, and beside an unspec address in SOURCESTATS. */
export function refclockSource(refid: string, figures: Partial<SourceFigures> = {}): FakeSource {
  const id = refidFromString(refid);
  return source(SOURCE_MODE.refclock, { family: "inet4", address: ipv4ToString(id) }, id, { family: "unspec" }, { ...DEFAULT_FIGURES, ...figures });
}

/** An NTP server source by address (IPv4 or IPv6 text). */
export function serverSource(address: string, figures: Partial<SourceFigures> = {}): FakeSource {
  const ip = addressOf(address);
  const refId = ip.family === "inet4" ? ipv4FromString(ip.address) : 0x2a0d0000;
  return source(SOURCE_MODE.client, ip, refId, ip, { ...DEFAULT_FIGURES, stratum: 2, poll: 10, ...figures });
}

export interface ClientFigures {
  ntpHits: number;
  ntpDrops: number;
  /** Seconds since its last NTP request; null: never. */
  lastNtpAgoS: number | null;
  cmdHits: number;
  lastCmdAgoS: number | null;
  ntpIntervalLog2: number | null;
}

export function client(address: string, f: Partial<ClientFigures> = {}): ClientAccessReport {
  const all: ClientFigures = { ntpHits: 10, ntpDrops: 0, lastNtpAgoS: 60, cmdHits: 0, lastCmdAgoS: null, ntpIntervalLog2: 6, ...f };
  return {
    address: addressOf(address),
    ntpHits: all.ntpHits,
    nkeHits: 0,
    cmdHits: all.cmdHits,
    ntpDrops: all.ntpDrops,
    nkeDrops: 0,
    cmdDrops: 0,
    ntpInterval: all.ntpIntervalLog2 ?? 127,
    nkeInterval: 127,
    cmdInterval: 127,
    ntpTimeoutInterval: 127,
    lastNtpHitAgoS: all.lastNtpAgoS ?? NO_SAMPLE,
    lastNkeHitAgoS: NO_SAMPLE,
    lastCmdHitAgoS: all.lastCmdAgoS ?? NO_SAMPLE,
  };
}

/** A box locked to its PPS: PPS selected, NMEA noselect, two network servers, a few clients. */
export function gpsBoxModel(refTimeSec = 1_767_225_600): FakeChronydModel {
  return {
    tracking: {
      refId: refidFromString("PPS"),
      address: { family: "unspec" },
      stratum: 1,
      leapStatus: 0,
      refTime: { sec: refTimeSec, nsec: 123_456_789 },
      currentCorrectionS: -2.5e-7,
      lastOffsetS: 1.2e-7,
      rmsOffsetS: 3.4e-7,
      freqPpm: -12.345,
      residFreqPpm: 0.001,
      skewPpm: 0.02,
      rootDelayS: 1e-9,
      rootDispersionS: 1.5e-5,
      lastUpdateIntervalS: 16,
    },
    sources: [
      refclockSource("PPS", { state: "selected", poll: 2, offsetS: 1.2e-7, measuredOffsetS: 1.1e-7, errorS: 2e-7, lastRxAgoS: 2, frequencyPpm: 0.001, stdDevS: 2.5e-7 }),
      refclockSource("NMEA", { state: "nonselectable", poll: 4, offsetS: 0.0125, measuredOffsetS: 0.0124, errorS: 1e-3, lastRxAgoS: 9, stdDevS: 2e-3 }),
      serverSource("192.0.2.10", { state: "unselected", offsetS: -4.5e-4, measuredOffsetS: -4.4e-4, errorS: 0.012, lastRxAgoS: 300 }),
      serverSource("2001:db8::123", { state: "unselected", offsetS: 7.5e-4, measuredOffsetS: 7.4e-4, errorS: 0.02, lastRxAgoS: 500 }),
    ],
    activity: { online: 2, offline: 0, burstOnline: 0, burstOffline: 0, unresolved: 0 },
    serverStats: {
      ntpHits: 1234,
      nkeHits: 0,
      cmdHits: 56,
      ntpDrops: 7,
      nkeDrops: 0,
      cmdDrops: 0,
      logDrops: 0,
      ntpAuthHits: 0,
      ntpInterleavedHits: 3,
      ntpTimestamps: 10,
      ntpSpanS: 600,
      // Only a 4.4-or-later chronyd sends these: kernel timestamps on receive and transmit, as on a Pi without hardware timestamping.
      timestamps: { daemonRx: 0, daemonTx: 7, kernelRx: 1227, kernelTx: 1220, hwRx: 0, hwTx: 0 },
    },
    clients: [client("192.0.2.50", { ntpHits: 100, lastNtpAgoS: 30 }), client("192.0.2.51", { ntpHits: 3, lastNtpAgoS: 7200 }), client("2001:db8::50", { ntpHits: 40, lastNtpAgoS: 5 })],
  };
}
