/*
 * N_SOURCES (request 14, reply 2) and SOURCE_DATA (request 15, reply 3):
 * `chronyc sources` is one N_SOURCES, then one SOURCE_DATA per index
 * 0..n−1. Indices are chronyd's table positions: a source removed between
 * the two answers NOSUCHSOURCE ("503 No such source").
 *
 * N_SOURCES: request without data, padded to 32 bytes. Reply data:
 *    28  n_sources  u32
 *    32  (end)
 *
 * SOURCE_DATA request data, padded to 76 bytes:
 *    20  index      i32
 *    24  (end of data; zero padding to 76)
 * Reply data (RPY_Source_Data):
 *    28  ip_addr          IPAddr  an NTP source's address; for a refclock
 *                                 family inet4 holding its refid ("PPS")
 *    48  poll             i16     log2 of the polling interval, s
 *    50  stratum          u16
 *    52  state            u16     0 selected '*', 1 nonselectable '?', 2 falseticker 'x',
 *                                 3 jittery '~', 4 unselected '+', 5 selectable '-'
 *    54  mode             u16     0 server '^', 1 peer '=', 2 refclock '#'
 *    56  flags            u16     (always 0 in 4.x)
 *    58  reachability     u16     the reach register (chronyc prints it in octal)
 *    60  since_sample     u32     s since the last sample; 0xffffffff: none yet
 *    64  orig_latest_meas Float   s, the last sample as measured ("[...]")
 *    68  latest_meas      Float   s, the same after later corrections; + local ahead
 *    72  latest_meas_err  Float   s ("+/-")
 *    76  (end)
 */
import { Req, Rpy } from "./codes.js";
import type { Exchange } from "./packet.js";
import { IPADDR_LENGTH, readFloat, readIpAddr, writeFloat, writeIpAddr, type IpAddr } from "./wire.js";

export const N_SOURCES: Exchange<void, number> = {
  name: "sources",
  command: Req.N_SOURCES,
  requestDataLength: 0,
  writeRequest: () => undefined,
  readRequest: () => undefined,
  replies: [{ reply: Rpy.N_SOURCES, dataLength: 4, chrony: "4.x", write: (d, n) => void d.writeUInt32BE(n, 0), read: (d) => d.readUInt32BE(0) }],
};

export interface SourceReport {
  address: IpAddr;
  poll: number;
  stratum: number;
  state: number;
  mode: number;
  flags: number;
  reachability: number;
  /** Seconds since the last sample; 0xffffffff when there was none. */
  sinceSampleS: number;
  origLatestMeasS: number;
  latestMeasS: number;
  latestMeasErrS: number;
}

export const SOURCE_MODE = { client: 0, peer: 1, refclock: 2 } as const;
export const SOURCE_STATE = { selected: 0, nonselectable: 1, falseticker: 2, jittery: 3, unselected: 4, selectable: 5 } as const;
/** since_sample for a source that has given no sample yet. */
export const NO_SAMPLE = 0xffffffff;

const POLL = IPADDR_LENGTH;
const STRATUM = POLL + 2;
const STATE = STRATUM + 2;
const MODE = STATE + 2;
const FLAGS = MODE + 2;
const REACH = FLAGS + 2;
const SINCE = REACH + 2;
const ORIG = SINCE + 4;
const MEAS = ORIG + 4;
const ERR = MEAS + 4;

export const SOURCE_DATA: Exchange<number, SourceReport> = {
  name: "sources",
  command: Req.SOURCE_DATA,
  requestDataLength: 4,
  writeRequest: (d, index) => void d.writeInt32BE(index, 0),
  readRequest: (d) => d.readInt32BE(0),
  replies: [
    {
      reply: Rpy.SOURCE_DATA,
      dataLength: ERR + 4,
      chrony: "4.x",
      write(d, r) {
        writeIpAddr(d, 0, r.address);
        d.writeInt16BE(r.poll, POLL);
        d.writeUInt16BE(r.stratum, STRATUM);
        d.writeUInt16BE(r.state, STATE);
        d.writeUInt16BE(r.mode, MODE);
        d.writeUInt16BE(r.flags, FLAGS);
        d.writeUInt16BE(r.reachability, REACH);
        d.writeUInt32BE(r.sinceSampleS >>> 0, SINCE);
        writeFloat(d, ORIG, r.origLatestMeasS);
        writeFloat(d, MEAS, r.latestMeasS);
        writeFloat(d, ERR, r.latestMeasErrS);
      },
      read: (d) => ({
        address: readIpAddr(d, 0),
        poll: d.readInt16BE(POLL),
        stratum: d.readUInt16BE(STRATUM),
        state: d.readUInt16BE(STATE),
        mode: d.readUInt16BE(MODE),
        flags: d.readUInt16BE(FLAGS),
        reachability: d.readUInt16BE(REACH),
        sinceSampleS: d.readUInt32BE(SINCE),
        origLatestMeasS: readFloat(d, ORIG),
        latestMeasS: readFloat(d, MEAS),
        latestMeasErrS: readFloat(d, ERR),
      }),
    },
  ],
};
