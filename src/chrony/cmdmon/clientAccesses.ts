/*
 * CLIENT_ACCESSES_BY_INDEX3 (request 68, reply 21): chronyd's client log,
 * what `chronyc clients` shows, in pages of up to 8 records. This is the
 * layout chrony 4.x speaks (the first two, 40/10 and 55/15, are gone: chronyd
 * answers them 502 Invalid command). Control socket only: over UDP it is
 * 501 Not authorised; with 'noclientlog' it is 519 (inactive).
 *
 * Request data, padded to 520 bytes (the longest request, 484 bytes of padding):
 *    20  first_index  u32   table index to start from
 *    24  n_clients    u32   at most this many records (chronyd caps it at 8)
 *    28  min_hits     u32   skip records with fewer hits in every service
 *    32  reset        u32   1: zero the counters after reading (never sent here)
 *    36  (end of data)
 *
 * Reply data:
 *    28  n_indices   u32   size of chronyd's table (slots, not clients)
 *    32  next_index  u32   where the next page starts
 *    36  n_clients   u32   valid records below (the rest are zero)
 *    40  clients[8]        60 bytes each, all 8 always sent:
 *          +0  ip                    IPAddr
 *         +20  ntp_hits              u32
 *         +24  nke_hits              u32
 *         +28  cmd_hits              u32
 *         +32  ntp_drops             u32
 *         +36  nke_drops             u32
 *         +40  cmd_drops             u32
 *         +44  ntp_interval          i8   log2 of the mean interval, s (127: none)
 *         +45  nke_interval          i8
 *         +46  cmd_interval          i8
 *         +47  ntp_timeout_interval  i8
 *         +48  last_ntp_hit_ago      u32  s; 0xffffffff: never
 *         +52  last_nke_hit_ago      u32
 *         +56  last_cmd_hit_ago      u32
 *   520  (end)
 * chronyc pages with first_index = the last reply's next_index until
 * next_index reaches n_indices or a page has fewer than 8 records.
 */
import { Req, Rpy } from "./codes.js";
import type { Exchange } from "./packet.js";
import { IPADDR_LENGTH, readIpAddr, writeIpAddr, type IpAddr } from "./wire.js";

export const CLIENTS_PER_PAGE = 8;
const RECORD = 60;
const RECORDS = 12;

export interface ClientAccessesRequest {
  firstIndex: number;
  maxClients: number;
  minHits: number;
  reset: boolean;
}

export interface ClientAccessReport {
  address: IpAddr;
  ntpHits: number;
  nkeHits: number;
  cmdHits: number;
  ntpDrops: number;
  nkeDrops: number;
  cmdDrops: number;
  ntpInterval: number;
  nkeInterval: number;
  cmdInterval: number;
  ntpTimeoutInterval: number;
  /** Seconds; 0xffffffff when the service was never used by this client. */
  lastNtpHitAgoS: number;
  lastNkeHitAgoS: number;
  lastCmdHitAgoS: number;
}

export interface ClientAccessesPage {
  nIndices: number;
  nextIndex: number;
  clients: ClientAccessReport[];
}

const COUNTERS = ["ntpHits", "nkeHits", "cmdHits", "ntpDrops", "nkeDrops", "cmdDrops"] as const;
const INTERVALS = ["ntpInterval", "nkeInterval", "cmdInterval", "ntpTimeoutInterval"] as const;
const AGES = ["lastNtpHitAgoS", "lastNkeHitAgoS", "lastCmdHitAgoS"] as const;
const AT_COUNTERS = IPADDR_LENGTH;
const AT_INTERVALS = AT_COUNTERS + 4 * COUNTERS.length;
const AT_AGES = AT_INTERVALS + INTERVALS.length;

function writeClient(d: Buffer, at: number, c: ClientAccessReport): void {
  writeIpAddr(d, at, c.address);
  for (const [i, f] of COUNTERS.entries()) d.writeUInt32BE(c[f] >>> 0, at + AT_COUNTERS + 4 * i);
  for (const [i, f] of INTERVALS.entries()) d.writeInt8(c[f], at + AT_INTERVALS + i);
  for (const [i, f] of AGES.entries()) d.writeUInt32BE(c[f] >>> 0, at + AT_AGES + 4 * i);
}

function readClient(d: Buffer, at: number): ClientAccessReport {
  const out: Record<string, unknown> = { address: readIpAddr(d, at) };
  for (const [i, f] of COUNTERS.entries()) out[f] = d.readUInt32BE(at + AT_COUNTERS + 4 * i);
  for (const [i, f] of INTERVALS.entries()) out[f] = d.readInt8(at + AT_INTERVALS + i);
  for (const [i, f] of AGES.entries()) out[f] = d.readUInt32BE(at + AT_AGES + 4 * i);
  return out as unknown as ClientAccessReport;
}

export const CLIENT_ACCESSES: Exchange<ClientAccessesRequest, ClientAccessesPage> = {
  name: "clients",
  command: Req.CLIENT_ACCESSES_BY_INDEX3,
  requestDataLength: 16,
  writeRequest(d, q) {
    d.writeUInt32BE(q.firstIndex >>> 0, 0);
    d.writeUInt32BE(q.maxClients >>> 0, 4);
    d.writeUInt32BE(q.minHits >>> 0, 8);
    d.writeUInt32BE(q.reset ? 1 : 0, 12);
  },
  readRequest: (d) => ({ firstIndex: d.readUInt32BE(0), maxClients: d.readUInt32BE(4), minHits: d.readUInt32BE(8), reset: d.readUInt32BE(12) !== 0 }),
  replies: [
    {
      reply: Rpy.CLIENT_ACCESSES_BY_INDEX3,
      dataLength: RECORDS + CLIENTS_PER_PAGE * RECORD,
      // Unchanged from 4.0 (which brought the NTS-KE counters) to 4.8.
      chrony: "4.x",
      write(d, page) {
        d.writeUInt32BE(page.nIndices, 0);
        d.writeUInt32BE(page.nextIndex, 4);
        d.writeUInt32BE(page.clients.length, 8);
        for (const [i, c] of page.clients.slice(0, CLIENTS_PER_PAGE).entries()) writeClient(d, RECORDS + RECORD * i, c);
      },
      read(d) {
        // A count above 8 is read as 8, as chronyc does: the rest would be past the packet.
        const n = Math.min(d.readUInt32BE(8), CLIENTS_PER_PAGE);
        return { nIndices: d.readUInt32BE(0), nextIndex: d.readUInt32BE(4), clients: Array.from({ length: n }, (_, i) => readClient(d, RECORDS + RECORD * i)) };
      },
    },
  ],
};
