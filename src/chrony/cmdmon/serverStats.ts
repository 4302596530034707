/*
 * SERVER_STATS (request 54): the server's counters since chronyd started,
 * what `chronyc serverstats` shows. Control socket only: over UDP chronyd
 * answers 501 Not authorised. The request has no data; the reply is the one
 * of this box's requests whose layout changed within 4.x, under a new reply
 * code each time (candm.h RPY_ServerStats, pktlength.c):
 *
 * SERVER_STATS3 (reply 24), chrony 4.2 and 4.3 (Debian 12): each u32,
 * request padded to 72 bytes.
 *    28  ntp_hits              NTP requests received
 *    32  nke_hits              NTS-KE connections accepted
 *    36  cmd_hits              command requests received (both sockets)
 *    40  ntp_drops             NTP requests dropped (rate limiting)
 *    44  nke_drops
 *    48  cmd_drops
 *    52  log_drops             client log records dropped (table full)
 *    56  ntp_auth_hits         authenticated NTP requests
 *    60  ntp_interleaved_hits
 *    64  ntp_timestamps        timestamps held for interleaved mode
 *    68  ntp_span_seconds      the span they cover
 *    72  (end)
 *
 * SERVER_STATS4 (reply 25), chrony 4.4 and later (Debian 13's 4.6; the same
 * to 4.8): the same eleven, widened to Integer64 (high u32, then low u32:
 * 64 bits without needing 64-bit alignment), then six counters of where NTP
 * timestamps were taken and four reserved words chronyd fills with 0xff.
 * The request is padded to 196 bytes; a shorter one gets 518.
 *    28  ntp_hits  36 nke_hits  44 cmd_hits  52 ntp_drops  60 nke_drops
 *    68  cmd_drops  76 log_drops  84 ntp_auth_hits  92 ntp_interleaved_hits
 *   100  ntp_timestamps  108 ntp_span_seconds
 *   116  ntp_daemon_rx_timestamps   receive timestamps taken by chronyd itself
 *   124  ntp_daemon_tx_timestamps
 *   132  ntp_kernel_rx_timestamps   ... by the kernel (SO_TIMESTAMPING)
 *   140  ntp_kernel_tx_timestamps
 *   148  ntp_hw_rx_timestamps       ... by the network card
 *   156  ntp_hw_tx_timestamps
 *   164  reserved[4]                0xff
 *   196  (end)
 *
 * The request goes out padded to 196 bytes, which both accept (see
 * packet.ts), and the reply's code says which layout came. Counters above
 * 2^53 would lose their last bits as JavaScript numbers: at a million
 * requests a second that is 285 years of uptime.
 *
 * Note the order: chronyc prints received, dropped, command received,
 * command dropped, log drops, NTS-KE ...: not the wire order.
 */
import { Req, Rpy } from "./codes.js";
import type { Exchange, ReplyLayout } from "./packet.js";

export interface ServerStatsReport {
  ntpHits: number;
  nkeHits: number;
  cmdHits: number;
  ntpDrops: number;
  nkeDrops: number;
  cmdDrops: number;
  logDrops: number;
  ntpAuthHits: number;
  ntpInterleavedHits: number;
  ntpTimestamps: number;
  ntpSpanS: number;
  /** Where NTP timestamps were taken: only chrony 4.4 and later count them (SERVER_STATS4); absent from 4.3. */
  timestamps?: ServerTimestampCounts;
}

/** SERVER_STATS4's six counters: receive and transmit timestamps taken by chronyd, the kernel, the network card. */
export interface ServerTimestampCounts {
  daemonRx: number;
  daemonTx: number;
  kernelRx: number;
  kernelTx: number;
  hwRx: number;
  hwTx: number;
}

const FIELDS = ["ntpHits", "nkeHits", "cmdHits", "ntpDrops", "nkeDrops", "cmdDrops", "logDrops", "ntpAuthHits", "ntpInterleavedHits", "ntpTimestamps", "ntpSpanS"] as const;
const TIMESTAMP_FIELDS = ["daemonRx", "daemonTx", "kernelRx", "kernelTx", "hwRx", "hwTx"] as const;
const RESERVED_WORDS = 4;
const INTEGER64 = 8;
const NO_TIMESTAMPS: ServerTimestampCounts = { daemonRx: 0, daemonTx: 0, kernelRx: 0, kernelTx: 0, hwRx: 0, hwTx: 0 };

/** UTI_Integer64NetworkToHost: high word, then low word. */
const readInteger64 = (d: Buffer, at: number): number => d.readUInt32BE(at) * 2 ** 32 + d.readUInt32BE(at + 4);

function writeInteger64(d: Buffer, at: number, value: number): void {
  d.writeUInt32BE(Math.floor(value / 2 ** 32) >>> 0, at);
  d.writeUInt32BE((value % 2 ** 32) >>> 0, at + 4);
}

const counters = (read: (i: number) => number): Omit<ServerStatsReport, "timestamps"> => Object.fromEntries(FIELDS.map((f, i) => [f, read(i)])) as unknown as Omit<ServerStatsReport, "timestamps">;

export const SERVER_STATS3: ReplyLayout<ServerStatsReport> = {
  reply: Rpy.SERVER_STATS3,
  dataLength: 4 * FIELDS.length,
  chrony: "4.2 and 4.3",
  write(d, r) {
    for (const [i, f] of FIELDS.entries()) d.writeUInt32BE(r[f] >>> 0, 4 * i);
  },
  read: (d) => counters((i) => d.readUInt32BE(4 * i)),
};

const AT_TIMESTAMPS = INTEGER64 * FIELDS.length;
const AT_RESERVED = AT_TIMESTAMPS + INTEGER64 * TIMESTAMP_FIELDS.length;

export const SERVER_STATS4: ReplyLayout<ServerStatsReport> = {
  reply: Rpy.SERVER_STATS4,
  dataLength: AT_RESERVED + INTEGER64 * RESERVED_WORDS,
  chrony: "4.4 and later",
  write(d, r) {
    for (const [i, f] of FIELDS.entries()) writeInteger64(d, INTEGER64 * i, r[f]);
    const ts = r.timestamps ?? NO_TIMESTAMPS;
    for (const [i, f] of TIMESTAMP_FIELDS.entries()) writeInteger64(d, AT_TIMESTAMPS + INTEGER64 * i, ts[f]);
    d.fill(0xff, AT_RESERVED, AT_RESERVED + INTEGER64 * RESERVED_WORDS);
  },
  read(d) {
    const timestamps = Object.fromEntries(TIMESTAMP_FIELDS.map((f, i) => [f, readInteger64(d, AT_TIMESTAMPS + INTEGER64 * i)])) as unknown as ServerTimestampCounts;
    return { ...counters((i) => readInteger64(d, INTEGER64 * i)), timestamps };
  },
};

export const SERVER_STATS: Exchange<void, ServerStatsReport> = {
  name: "serverstats",
  command: Req.SERVER_STATS,
  requestDataLength: 0,
  writeRequest: () => undefined,
  readRequest: () => undefined,
  replies: [SERVER_STATS4, SERVER_STATS3],
};
