/*
 * A small NTP client, RFC 5905 client mode (mode 3) over UDP: what any client
 * of the box (ntpdate, sntp, chronyd, a router) reads in an answer. It asks
 * and reports; it never sets a clock. The tests ask the simulated box with
 * it, and `node dist/sim/sntp.js` lets a person do the same.
 *
 * The packet (48 bytes, big-endian):
 *    0  LI(2) VN(3) Mode(3) | Stratum | Poll (log2 s) | Precision (log2 s, signed)
 *    4  Root delay       (NTP short format: 16.16 seconds)
 *    8  Root dispersion  (16.16 seconds)
 *   12  Reference ID     (stratum 0: kiss code; 1: the clock's name; 2+: the upstream's IPv4 address or a hash)
 *   16  Reference timestamp   (64-bit: seconds since 1900, 32-bit fraction)
 *   24  Origin timestamp      (the request's transmit timestamp, echoed)
 *   32  Receive timestamp     (when the server got the request)
 *   40  Transmit timestamp    (when the server sent the answer)
 */
import { createSocket, type Socket } from "node:dgram";

/** 1900-01-01 to 1970-01-01 in seconds: NTP era 0 against the Unix epoch. */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const FRACTION = 2 ** 32;

/** 0 no warning, 1 the last minute of the day has 61 s, 2 it has 59 s, 3 unsynchronised. */
export type LeapIndicator = 0 | 1 | 2 | 3;

export interface NtpPacket {
  leap: LeapIndicator;
  version: number;
  mode: number;
  stratum: number;
  /** log2 seconds. */
  poll: number;
  /** log2 seconds. */
  precision: number;
  rootDelayS: number;
  rootDispersionS: number;
  /** The reference ID as text: ASCII for stratum 0 and 1, a dotted quad for 2 and above. */
  refid: string;
  /** The four bytes of the reference ID as a number. */
  refidValue: number;
  /** Unix seconds, or null for a zero timestamp (a server that never synchronised). */
  referenceS: number | null;
  originS: number | null;
  receiveS: number | null;
  transmitS: number | null;
  /** The origin timestamp's raw 8 bytes, to match an answer with its request. */
  originRaw: bigint;
}

export interface NtpAnswer extends NtpPacket {
  /**
   * A kiss-o'-death: stratum 0 with a code for a reference ID (RATE, DENY,
   * RSTR...). Stratum 0 with a zero reference ID is not one: it is how chrony
   * answers while unsynchronised (with LI 3).
   */
  kiss: string | null;
  /** Client clock when the request left and when the answer arrived, Unix seconds. */
  sentS: number;
  arrivedS: number;
  /** Server clock minus client clock, and the round trip minus the server's time, RFC 5905's theta and delta. */
  offsetS: number;
  delayS: number;
}

/** Unix µs as an NTP 64-bit timestamp. */
export function ntpTimestamp(unixUs: number): bigint {
  const sec = Math.floor(unixUs / 1e6);
  const frac = Math.floor(((unixUs - sec * 1e6) / 1e6) * FRACTION);
  return (BigInt(sec + NTP_UNIX_OFFSET_S) << 32n) | BigInt(frac);
}

function unixSeconds(raw: bigint): number | null {
  if (raw === 0n) return null;
  return Number(raw >> 32n) - NTP_UNIX_OFFSET_S + Number(raw & 0xffffffffn) / FRACTION;
}

const ascii = (v: number): string =>
  String.fromCharCode((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
    .replace(/\0+$/, "")
    .replace(/[^\x20-\x7e]/g, "?");

/** A client request: LI 0, version 4, mode 3, everything else zero but the transmit timestamp. */
export function ntpRequest(transmit: bigint): Buffer {
  const b = Buffer.alloc(48);
  b.writeUInt8((0 << 6) | (4 << 3) | 3, 0);
  b.writeBigUInt64BE(transmit, 40);
  return b;
}

/** Reads an NTP header; throws on a packet shorter than 48 bytes. */
export function parseNtpPacket(b: Buffer): NtpPacket {
  if (b.length < 48) throw new Error(`an NTP packet has at least 48 bytes, this one ${b.length}`);
  const first = b.readUInt8(0);
  const stratum = b.readUInt8(1);
  const refidValue = b.readUInt32BE(12);
  return {
    leap: ((first >> 6) & 3) as LeapIndicator,
    version: (first >> 3) & 7,
    mode: first & 7,
    stratum,
    poll: b.readInt8(2),
    precision: b.readInt8(3),
    rootDelayS: b.readUInt32BE(4) / 65536,
    rootDispersionS: b.readUInt32BE(8) / 65536,
    refid: stratum <= 1 ? ascii(refidValue) : [24, 16, 8, 0].map((s) => (refidValue >>> s) & 0xff).join("."),
    refidValue,
    referenceS: unixSeconds(b.readBigUInt64BE(16)),
    originS: unixSeconds(b.readBigUInt64BE(24)),
    receiveS: unixSeconds(b.readBigUInt64BE(32)),
    transmitS: unixSeconds(b.readBigUInt64BE(40)),
    originRaw: b.readBigUInt64BE(24),
  };
}

export interface NtpServerAddress {
  host: string;
  port: number;
}

export interface QueryOptions {
  /** Send from this local address (e.g. 127.0.0.2, so that a server's per-address rate limit sees another client). */
  localAddress?: string;
  /** How long to wait for answers (default 2000 ms). */
  timeoutMs?: number;
  /** The client's clock, Unix µs (default: Date.now(), millisecond resolution). */
  nowUs?: () => number;
}

const LEAP_TEXT = ["no warning", "last minute has 61 s", "last minute has 59 s", "unsynchronised"] as const;

/** One line, as a person reads an answer. */
export function describeAnswer(a: NtpAnswer): string {
  const ms = (s: number, digits = 3): string => `${(s * 1e3).toFixed(digits)} ms`;
  if (a.kiss !== null) return `kiss-o'-death ${a.kiss} (LI ${a.leap}, stratum 0)`;
  return [
    `LI ${a.leap} (${LEAP_TEXT[a.leap]})`,
    `stratum ${a.stratum}`,
    `refid ${a.refid || "-"}`,
    `poll 2^${a.poll} s`,
    `precision 2^${a.precision} s`,
    `root delay ${ms(a.rootDelayS)}`,
    `root dispersion ${ms(a.rootDispersionS)}`,
    `offset ${a.offsetS >= 0 ? "+" : ""}${ms(a.offsetS)}`,
    `delay ${ms(a.delayS)}`,
  ].join(", ");
}

/**
 * Sends `count` requests from one socket, `gapMs` apart (0: back to back),
 * and collects the answers that echo one of them until `timeoutMs` after the
 * last. An answer that matches no request (a stray, a spoof) is ignored, as a
 * client must.
 */
export async function askNtp(server: NtpServerAddress, count: number, gapMs: number, opts: QueryOptions = {}): Promise<{ sent: number; answers: NtpAnswer[] }> {
  const nowUs = opts.nowUs ?? (() => Date.now() * 1000);
  const socket: Socket = createSocket("udp4");
  const pending = new Map<bigint, number>();
  const answers: NtpAnswer[] = [];
  socket.on("message", (msg) => {
    const arrivedUs = nowUs();
    let p: NtpPacket;
    try {
      p = parseNtpPacket(msg);
    } catch {
      return;
    }
    const sentUs = pending.get(p.originRaw);
    if (sentUs === undefined || p.mode !== 4) return;
    pending.delete(p.originRaw);
    const t1 = sentUs / 1e6;
    const t4 = arrivedUs / 1e6;
    const t2 = p.receiveS ?? t1;
    const t3 = p.transmitS ?? t2;
    answers.push({ ...p, kiss: p.stratum === 0 && p.refidValue !== 0 ? p.refid : null, sentS: t1, arrivedS: t4, offsetS: (t2 - t1 + (t3 - t4)) / 2, delayS: t4 - t1 - (t3 - t2) });
  });
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: opts.localAddress ?? "0.0.0.0", port: 0 }, () => resolve());
  });
  try {
    let sent = 0;
    let lastRaw = 0n;
    for (let i = 0; i < count; i++) {
      if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      const us = nowUs();
      // Each request's transmit timestamp is unique (the answer echoes it): two sent in the same microsecond differ in the fraction's last bit.
      let raw = ntpTimestamp(us);
      if (raw <= lastRaw) raw = lastRaw + 1n;
      lastRaw = raw;
      pending.set(raw, us);
      await new Promise<void>((resolve) => socket.send(ntpRequest(raw), server.port, server.host, () => resolve()));
      sent++;
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 2000);
    while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { sent, answers };
  } finally {
    socket.close();
  }
}

/** One request, its answer or null when none came within the timeout. */
export async function queryNtp(server: NtpServerAddress, opts: QueryOptions = {}): Promise<NtpAnswer | null> {
  const { answers } = await askNtp(server, 1, 0, opts);
  return answers[0] ?? null;
}
