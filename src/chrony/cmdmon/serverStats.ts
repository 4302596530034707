/*
 * SERVER_STATS (request 54; chrony 4.x replies with SERVER_STATS3, 24): the
 * server's counters since chronyd started, what `chronyc serverstats`
 * shows. Control socket only: over UDP chronyd answers 501 Not authorised.
 * Request without data, padded to 72 bytes.
 *
 * Reply data (RPY_ServerStats), each u32:
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
 * Note the order: chronyc prints received, dropped, command received,
 * command dropped, log drops, NTS-KE ...: not the wire order.
 */
import { Req, Rpy } from "./codes.js";
import type { Exchange } from "./packet.js";

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
}

const FIELDS = ["ntpHits", "nkeHits", "cmdHits", "ntpDrops", "nkeDrops", "cmdDrops", "logDrops", "ntpAuthHits", "ntpInterleavedHits", "ntpTimestamps", "ntpSpanS"] as const;

export const SERVER_STATS: Exchange<void, ServerStatsReport> = {
  name: "serverstats",
  command: Req.SERVER_STATS,
  reply: Rpy.SERVER_STATS3,
  requestDataLength: 0,
  replyDataLength: 4 * FIELDS.length,
  writeRequest: () => undefined,
  readRequest: () => undefined,
  writeReply(d, r) {
    for (const [i, f] of FIELDS.entries()) d.writeUInt32BE(r[f] >>> 0, 4 * i);
  },
  readReply: (d) => Object.fromEntries(FIELDS.map((f, i) => [f, d.readUInt32BE(4 * i)])) as unknown as ServerStatsReport,
};
