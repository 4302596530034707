/*
 * SOURCESTATS (request 34, reply 6): the regression over one source's
 * samples, what `chronyc sourcestats` shows; per index, like SOURCE_DATA.
 *
 * Request data, padded to 84 bytes:
 *    20  index   u32
 *    24  (end of data; zero padding to 84)
 * Reply data (RPY_Sourcestats):
 *    28  ref_id          u32     the source's refid (a refclock's name)
 *    32  ip_addr         IPAddr  an NTP source's address; unspec for a refclock
 *    52  n_samples       u32
 *    56  n_runs          u32
 *    60  span_seconds    u32
 *    64  sd              Float   s, standard deviation ("Std Dev")
 *    68  resid_freq_ppm  Float   ("Frequency")
 *    72  skew_ppm        Float   ("Freq Skew")
 *    76  est_offset      Float   s ("Offset")
 *    80  est_offset_err  Float   s
 *    84  (end)
 */
import { Req, Rpy } from "./codes.js";
import type { Exchange } from "./packet.js";
import { IPADDR_LENGTH, readFloat, readIpAddr, writeFloat, writeIpAddr, type IpAddr } from "./wire.js";

export interface SourceStatsReport {
  refId: number;
  address: IpAddr;
  samples: number;
  runs: number;
  spanS: number;
  sdS: number;
  residFreqPpm: number;
  skewPpm: number;
  estOffsetS: number;
  estOffsetErrS: number;
}

const IP = 4;
const SAMPLES = IP + IPADDR_LENGTH;
const RUNS = SAMPLES + 4;
const SPAN = RUNS + 4;
const FLOATS = SPAN + 4;
const FLOAT_FIELDS = ["sdS", "residFreqPpm", "skewPpm", "estOffsetS", "estOffsetErrS"] as const;

export const SOURCESTATS: Exchange<number, SourceStatsReport> = {
  name: "sourcestats",
  command: Req.SOURCESTATS,
  requestDataLength: 4,
  writeRequest: (d, index) => void d.writeUInt32BE(index, 0),
  readRequest: (d) => d.readUInt32BE(0),
  replies: [
    {
      reply: Rpy.SOURCESTATS,
      dataLength: FLOATS + 4 * FLOAT_FIELDS.length,
      chrony: "4.x",
      write(d, r) {
        d.writeUInt32BE(r.refId >>> 0, 0);
        writeIpAddr(d, IP, r.address);
        d.writeUInt32BE(r.samples, SAMPLES);
        d.writeUInt32BE(r.runs, RUNS);
        d.writeUInt32BE(r.spanS, SPAN);
        for (const [i, f] of FLOAT_FIELDS.entries()) writeFloat(d, FLOATS + 4 * i, r[f]);
      },
      read(d) {
        const floats = Object.fromEntries(FLOAT_FIELDS.map((f, i) => [f, readFloat(d, FLOATS + 4 * i)])) as Record<(typeof FLOAT_FIELDS)[number], number>;
        return { refId: d.readUInt32BE(0), address: readIpAddr(d, IP), samples: d.readUInt32BE(SAMPLES), runs: d.readUInt32BE(RUNS), spanS: d.readUInt32BE(SPAN), ...floats };
      },
    },
  ],
};
