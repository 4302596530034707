/*
 * TRACKING (request 33, reply 5): the local clock against its reference,
 * what `chronyc tracking` shows. The request has no data; padded to the
 * reply's 104 bytes.
 *
 * Reply data (RPY_Tracking), offsets from the packet's start:
 *    28  ref_id               u32    the reference's refid ("PPS" as 0x50505300)
 *    32  ip_addr              IPAddr the reference's address; unspec for a refclock
 *    52  stratum              u16
 *    54  leap_status          u16    0 normal, 1 insert, 2 delete, 3 unsynchronised
 *    56  ref_time             Timespec  when the clock was last updated
 *    68  current_correction   Float  s; + means the local clock is slow ("System time ... slow")
 *    72  last_offset          Float  s; offset at the last update, + local ahead
 *    76  rms_offset           Float  s
 *    80  freq_ppm             Float  + means the local clock runs fast (chronyc: "ppm fast")
 *    84  resid_freq_ppm       Float
 *    88  skew_ppm             Float
 *    92  root_delay           Float  s
 *    96  root_dispersion      Float  s
 *   100  last_update_interval Float  s
 *   104  (end)
 */
import type { Instant } from "../../hal/instant.js";
import { Req, Rpy } from "./codes.js";
import type { Exchange } from "./packet.js";
import { IPADDR_LENGTH, readFloat, readIpAddr, readTimespec, writeFloat, writeIpAddr, writeTimespec, type IpAddr } from "./wire.js";

export interface TrackingReport {
  refId: number;
  address: IpAddr;
  stratum: number;
  leapStatus: number;
  refTime: Instant;
  currentCorrectionS: number;
  lastOffsetS: number;
  rmsOffsetS: number;
  freqPpm: number;
  residFreqPpm: number;
  skewPpm: number;
  rootDelayS: number;
  rootDispersionS: number;
  lastUpdateIntervalS: number;
}

// Offsets within the reply data (packet offset − 28).
const REF_ID = 0;
const IP = 4;
const STRATUM = IP + IPADDR_LENGTH;
const LEAP = STRATUM + 2;
const REF_TIME = LEAP + 2;
const FLOATS = REF_TIME + 12;
const FLOAT_FIELDS = ["currentCorrectionS", "lastOffsetS", "rmsOffsetS", "freqPpm", "residFreqPpm", "skewPpm", "rootDelayS", "rootDispersionS", "lastUpdateIntervalS"] as const;

export const TRACKING: Exchange<void, TrackingReport> = {
  name: "tracking",
  command: Req.TRACKING,
  requestDataLength: 0,
  writeRequest: () => undefined,
  readRequest: () => undefined,
  replies: [
    {
      reply: Rpy.TRACKING,
      dataLength: FLOATS + 4 * FLOAT_FIELDS.length,
      chrony: "4.x",
      write(d, r) {
        d.writeUInt32BE(r.refId >>> 0, REF_ID);
        writeIpAddr(d, IP, r.address);
        d.writeUInt16BE(r.stratum, STRATUM);
        d.writeUInt16BE(r.leapStatus, LEAP);
        writeTimespec(d, REF_TIME, r.refTime);
        for (const [i, f] of FLOAT_FIELDS.entries()) writeFloat(d, FLOATS + 4 * i, r[f]);
      },
      read(d) {
        const floats = Object.fromEntries(FLOAT_FIELDS.map((f, i) => [f, readFloat(d, FLOATS + 4 * i)])) as Record<(typeof FLOAT_FIELDS)[number], number>;
        return { refId: d.readUInt32BE(REF_ID), address: readIpAddr(d, IP), stratum: d.readUInt16BE(STRATUM), leapStatus: d.readUInt16BE(LEAP), refTime: readTimespec(d, REF_TIME), ...floats };
      },
    },
  ],
};
