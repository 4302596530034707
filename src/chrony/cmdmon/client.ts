/*
 * chrony's command protocol (cmdmon), spoken directly: the figures the box
 * shows (tracking, sources, sourcestats, activity, serverstats, clients)
 * without spawning `chronyc -c` for each (about 12 ms of CPU a second on a
 * Pi), over a CommandChannel the service's hardware object holds.
 *
 * Which socket, and why it matters. chronyd listens for commands in two
 * places:
 *  - its unix control socket (/run/chrony/chronyd.sock). chronyd answers
 *    every command there; the socket's file permissions are the only guard.
 *    A process that can write to it can do all that chronyc can: delete the
 *    network sources that outvote a bad GPS ('delete'), add servers or peers
 *    of its choosing, step or slew the clock ('makestep', 'settime',
 *    'doffset'), turn on 'local' so the box serves its own clock as
 *    stratum-n truth, change who is served ('allow', 'deny'), change polling
 *    and selection ('maxdelay', 'minstratum', 'reselect'), write the RTC,
 *    or shut chronyd down. A compromised stratum1d holding this socket could
 *    make every NTP client of the box follow whatever time it wanted, and
 *    remove the sources that would otherwise catch it.
 *  - its UDP command port (cmdport, 323 by default, bound to 127.0.0.1 and
 *    ::1 with 'bindcmdaddress'). There chronyd answers only monitoring
 *    requests (cmdmon.c's PERMIT_OPEN: tracking, sources, sourcestats,
 *    activity, rtcdata, smoothing, manual list, source names) and refuses
 *    every other with 501 Not authorised. A service that only has UDP can
 *    read, never change: the worst it can do to chrony is what any program
 *    feeding a refclock can, send bad samples on its own SOCK refclock,
 *    which chrony's selection weighs against the network sources (the GPS
 *    refclock is never 'trust', so they can outvote it).
 * So the box reads over UDP, and the control socket is optional
 * (chrony.control): two figures need it, because chronyd refuses them over
 * UDP: serverstats (NTP requests received/dropped, the panel's request
 * rate) and the client list (how many clients were served in the last
 * hour). Without chrony.control those are reported as "needs the control
 * socket", not as a failure of chrony.
 *
 * The exchange is chronyc's (client.c): one request at a time; a fresh
 * random 32-bit sequence per attempt, echoed by chronyd, so a reply can be
 * matched to its request and an off-path sender cannot guess it; no reply
 * in 1 s: resend (attempt + 1), waiting 2 s, then 4 s; after the third try
 * give up (7 s in all). Unlike chronyc, a reply to an earlier attempt of the
 * same request is accepted (it answers the same question), so a slow chronyd
 * is not asked three times for nothing. Time comes only from the injected
 * Clock, so tests run in virtual time.
 */
import { openSync, readSync } from "node:fs";
import type { Clock } from "../../hal/clock.js";
import type { CommandChannel } from "../../hal/commandChannel.js";
import type { ChronySource } from "../../status/contract.js";
import type { ChronySourceStats } from "./views.js";
import { ACTIVITY, type ChronyActivity } from "./activity.js";
import { CLIENT_ACCESSES, CLIENTS_PER_PAGE } from "./clientAccesses.js";
import { RETIRED_REPLIES, Stt, statusOf } from "./codes.js";
import { CmdmonError, zeroCounts, type CmdmonReason, type FailureReason, type IgnoredReason } from "./errors.js";
import {
  buildRequest,
  describeReplies,
  layoutOf,
  PKT_TYPE_REPLY,
  PROTO_VERSION,
  readReplyHeader,
  REPLY_HEADER_LENGTH,
  replyData,
  replyLength,
  requestLength,
  type Exchange,
  type ReplyLayout,
} from "./packet.js";
import { SERVER_STATS } from "./serverStats.js";
import { N_SOURCES, SOURCE_DATA } from "./sources.js";
import { SOURCESTATS } from "./sourceStats.js";
import { TRACKING } from "./tracking.js";
import { clientView, serverStatsView, sourceStatsView, sourceView, trackingView, type ChronyClientRecord, type CmdmonServerStats, type CmdmonTracking } from "./views.js";

export interface CmdmonClientOptions {
  /** Wait for the first try, ms; doubled for each resend (chronyc: 1000). */
  timeoutMs?: number;
  /** Resends after the first try (chronyc: 2). */
  retries?: number;
  /** The config key naming the control socket, for the message when chronyd refuses a request over UDP. */
  controlKey?: string;
  /** Source of sequence numbers (default: the system's CSPRNG); tests may fix it. */
  randomSequence?: () => number;
}

export interface CmdmonCounts {
  /** Requests started (a listing of n sources is n + 1). */
  requests: number;
  /** Datagrams sent, resends included. */
  sent: number;
  resent: number;
  /** Replies accepted as the answer to a request. */
  answered: number;
  /** Every bad datagram and every failed request, by reason. */
  errors: Record<CmdmonReason, number>;
}

interface Pending {
  ex: Exchange<unknown, unknown>;
  q: unknown;
  resolve(r: unknown): void;
  reject(e: CmdmonError): void;
  sequences: number[];
  attempt: number;
  cancelTimer: (() => void) | undefined;
  /** The last datagram ignored while waiting, for the timeout's message. */
  lastIgnored: IgnoredReason | undefined;
}

type Verdict =
  | { kind: "ignore"; reason: IgnoredReason }
  | { kind: "status"; p: Pending; status: number }
  | { kind: "fail"; p: Pending; reason: FailureReason; message: string }
  | { kind: "answer"; p: Pending; layout: ReplyLayout<unknown> };

// From the kernel's generator, not node:crypto: loading that module costs the service ~0.8 MB of
// memory (OpenSSL's tables) for four bytes every few seconds.
let urandom: number | undefined;
const randomWord = Buffer.alloc(4);
const randomU32 = (): number => {
  urandom ??= openSync("/dev/urandom", "r");
  readSync(urandom, randomWord, 0, 4, null);
  return randomWord.readUInt32BE(0);
};

export class CmdmonClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly controlKey: string;
  private readonly randomSequence: () => number;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  /** The sequences of the request answered last, to tell a duplicate answer from a stranger's. */
  private previous: readonly number[] = [];
  private closed = false;
  private readonly count: CmdmonCounts = { requests: 0, sent: 0, resent: 0, answered: 0, errors: zeroCounts() };

  constructor(
    private readonly channel: CommandChannel,
    private readonly clock: Clock,
    opts: CmdmonClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.retries = opts.retries ?? 2;
    this.controlKey = opts.controlKey ?? "chrony.control";
    this.randomSequence = opts.randomSequence ?? randomU32;
    channel.onReply((reply) => this.onDatagram(reply));
    channel.onError((message) => this.onTransportError(message));
  }

  /** `chronyc tracking`. */
  async tracking(): Promise<CmdmonTracking> {
    return trackingView(await this.request(TRACKING, undefined));
  }

  /** `chronyc sources` (with all: `sources -a`, which adds sources whose names are not resolved yet). */
  async sources(opts: { all?: boolean } = {}): Promise<ChronySource[]> {
    const reports = await this.listing(SOURCE_DATA);
    return reports.filter((r) => opts.all || r.address.family !== "id").map(sourceView);
  }

  /** `chronyc sourcestats` (with all: `sourcestats -a`). */
  async sourceStats(opts: { all?: boolean } = {}): Promise<ChronySourceStats[]> {
    const reports = await this.listing(SOURCESTATS);
    return reports.filter((r) => opts.all || r.address.family !== "id").map(sourceStatsView);
  }

  /** `chronyc activity`. */
  activity(): Promise<ChronyActivity> {
    return this.request(ACTIVITY, undefined);
  }

  /** `chronyc serverstats`; control socket only (UDP: a CmdmonError with reason "unauthorised"). */
  async serverStats(): Promise<CmdmonServerStats> {
    return serverStatsView(await this.request(SERVER_STATS, undefined));
  }

  /** `chronyc clients`, every page; control socket only. */
  async clients(): Promise<ChronyClientRecord[]> {
    const out: ChronyClientRecord[] = [];
    let first = 0;
    for (;;) {
      const page = await this.request(CLIENT_ACCESSES, { firstIndex: first, maxClients: CLIENTS_PER_PAGE, minHits: 0, reset: false });
      // chronyc skips unspec records ("could not be found in the daemon's tables").
      out.push(...page.clients.filter((c) => c.address.family !== "unspec").map(clientView));
      if (page.nextIndex >= page.nIndices || page.clients.length < CLIENTS_PER_PAGE) return out;
      if (page.nextIndex <= first)
        throw this.count1(
          new CmdmonError(
            "malformed",
            CLIENT_ACCESSES.name,
            `chronyd's client list does not advance (next index ${page.nextIndex} after ${first} of ${page.nIndices}): not chrony 4.x's CLIENT_ACCESSES_BY_INDEX3 layout?`,
          ),
        );
      first = page.nextIndex;
    }
  }

  /** What went wrong so far, by reason, and how much was sent: for the status and the logs. */
  counts(): CmdmonCounts {
    return { ...this.count, errors: { ...this.count.errors } };
  }

  /** Fails the request in flight and those queued (reason "closed"); the channel stays its owner's to close. */
  close(): void {
    this.closed = true;
    const all = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    for (const p of all) this.fail(p, "closed", `${p.ex.name}: the chrony client was closed`);
  }

  /** One exchange, queued behind any in flight. */
  request<Q, R>(ex: Exchange<Q, R>, q: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const p: Pending = { ex: ex as Exchange<unknown, unknown>, q, resolve: resolve as (r: unknown) => void, reject, sequences: [], attempt: 0, cancelTimer: undefined, lastIgnored: undefined };
      if (this.closed) return void this.fail(p, "closed", `${ex.name}: the chrony client was closed`);
      this.queue.push(p);
      this.pump();
    });
  }

  /** N_SOURCES, then one request per index; a source removed under us (503) starts the listing over, once. */
  private async listing<R>(ex: Exchange<number, R>): Promise<R[]> {
    for (let round = 0; ; round++) {
      const n = await this.request(N_SOURCES, undefined);
      const out: R[] = [];
      try {
        for (let i = 0; i < n; i++) out.push(await this.request(ex, i));
        return out;
      } catch (err) {
        if (round > 0 || !(err instanceof CmdmonError) || err.reason !== "noSuchSource") throw err;
      }
    }
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.count.requests += 1;
    this.transmit(next);
  }

  private transmit(p: Pending): void {
    if (p.attempt > this.retries) {
      const waited = (this.timeoutMs * (2 ** p.attempt - 1)) / 1000;
      const saw = p.lastIgnored ? `; the last datagram that came was ignored (${p.lastIgnored})` : "";
      this.fail(p, "timeout", `no reply from chronyd to ${p.ex.name} on ${this.channel.name} within ${waited} s (${p.attempt} tries)${saw}: is chronyd running, and may it answer us there?`);
      return;
    }
    const sequence = this.randomSequence() >>> 0;
    p.sequences.push(sequence);
    const datagram = buildRequest(p.ex, p.q, sequence, p.attempt);
    const waitMs = this.timeoutMs * 2 ** p.attempt;
    if (p.attempt > 0) this.count.resent += 1;
    p.attempt += 1;
    this.count.sent += 1;
    p.cancelTimer = this.clock.after(waitMs, () => {
      if (this.current === p) this.transmit(p);
    });
    this.channel.send(datagram);
  }

  private onDatagram(buf: Buffer): void {
    try {
      this.accept(buf);
    } catch (err) {
      // A decoder fault must not escape into the channel's event handler.
      const p = this.current;
      if (p) this.fail(p, "malformed", `${p.ex.name}: chronyd's reply could not be read (${(err as Error).message})`);
      else this.count.errors.malformed += 1;
    }
  }

  private accept(buf: Buffer): void {
    const v = this.judge(buf);
    if (v.kind === "ignore") this.ignore(v.reason);
    else if (v.kind === "status") this.failStatus(v.p, v.status);
    else if (v.kind === "fail") this.fail(v.p, v.reason, v.message);
    else {
      const result = v.layout.read(replyData(buf));
      this.count.answered += 1;
      this.finish(v.p);
      v.p.resolve(result);
    }
  }

  /** What a datagram is to the request in flight, in chronyc's order of checks. */
  private judge(buf: Buffer): Verdict {
    if (buf.length < REPLY_HEADER_LENGTH) return { kind: "ignore", reason: "truncated" };
    const h = readReplyHeader(buf);
    if (h.pktType !== PKT_TYPE_REPLY || h.reserved !== 0) return { kind: "ignore", reason: "notReply" };
    const p = this.current;
    if (h.version !== PROTO_VERSION) {
      // chronyd answers a version it cannot serve with its own version and BADPKTVERSION (client.c accepts that from version 4 on).
      const ours = p?.sequences.includes(h.sequence) && h.command === p.ex.command;
      if (p && ours && h.version >= 4 && h.status === Stt.BADPKTVERSION) {
        return { kind: "fail", p, reason: "badPacketVersion", message: `chronyd speaks command protocol version ${h.version}, this box version ${PROTO_VERSION} (chrony 4.x): install chrony 4.x` };
      }
      return { kind: "ignore", reason: "badVersion" };
    }
    if (!p?.sequences.includes(h.sequence)) return { kind: "ignore", reason: this.previous.includes(h.sequence) ? "late" : "wrongSequence" };
    if (h.command !== p.ex.command) return { kind: "ignore", reason: "wrongCommand" };
    if (h.status !== Stt.SUCCESS) return { kind: "status", p, status: h.status };
    // The reply's code names its layout: a chronyd of another version answers with another code.
    const layout = layoutOf(p.ex, h.reply);
    if (!layout) {
      const known = RETIRED_REPLIES.get(h.reply);
      const which = known ? ` (${known})` : "";
      return {
        kind: "fail",
        p,
        reason: "unexpectedReply",
        message: `chronyd answered ${p.ex.name} with reply type ${h.reply}${which}, not ${describeReplies(p.ex)}: a chrony version this box does not read`,
      };
    }
    if (buf.length !== replyLength(layout)) {
      return {
        kind: "fail",
        p,
        reason: "wrongLength",
        message: `chronyd's ${p.ex.name} reply (type ${layout.reply}) is ${buf.length} bytes, chrony ${layout.chrony}'s is ${replyLength(layout)}: a chrony version this box does not read, or a damaged datagram`,
      };
    }
    return { kind: "answer", p, layout };
  }

  private failStatus(p: Pending, status: number): void {
    const { name, chronyc } = statusOf(status);
    const reason: FailureReason = name === "success" ? "otherStatus" : name;
    const why =
      reason === "unauthorised"
        ? `chronyd answers ${p.ex.name} only on its control socket, not on ${this.channel.name}; it needs the control socket: set ${this.controlKey} to chronyd's unix socket (e.g. /run/chrony/chronyd.sock)`
        : reason === "inactive"
          ? "chronyd keeps no client log ('noclientlog' in chrony.conf): remove it to see clients"
          : reason === "badPacketLength"
            ? `chronyd wants a longer request than the ${requestLength(p.ex)} bytes this box sends, enough for reply type ${describeReplies(p.ex)}: a newer chrony, with a longer layout this box does not read`
            : reason === "invalid"
              ? `chronyd does not know request ${p.ex.command}: a chrony older than 4.0, or one newer than this box reads`
              : "chronyd refused the request";
    this.fail(p, reason, `${p.ex.name} on ${this.channel.name}: ${chronyc}: ${why}`);
  }

  private onTransportError(message: string): void {
    const p = this.current;
    if (p) this.fail(p, "transport", `${p.ex.name}: ${message}`);
    else this.count.errors.transport += 1;
  }

  private ignore(reason: IgnoredReason): void {
    this.count.errors[reason] += 1;
    if (this.current) this.current.lastIgnored = reason;
  }

  private fail(p: Pending, reason: FailureReason, message: string): void {
    this.finish(p);
    p.reject(this.count1(new CmdmonError(reason, p.ex.name, message)));
  }

  private count1(err: CmdmonError): CmdmonError {
    this.count.errors[err.reason] += 1;
    return err;
  }

  private finish(p: Pending): void {
    p.cancelTimer?.();
    p.cancelTimer = undefined;
    if (this.current !== p) return;
    this.previous = p.sequences;
    this.current = undefined;
    // The next request goes out after the caller has seen this one's result.
    queueMicrotask(() => this.pump());
  }
}
