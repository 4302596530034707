/*
 * ACTIVITY (request 44, reply 12): how many NTP sources are online, offline,
 * in a burst, or not resolved yet (`chronyc activity`). Refclocks are not
 * counted. Request without data, padded to 48 bytes.
 *
 * Reply data (RPY_Activity), each i32:
 *    28  online
 *    32  offline
 *    36  burst_online    doing a burst, then back online
 *    40  burst_offline   doing a burst, then back offline
 *    44  unresolved      names not resolved yet
 *    48  (end)
 */
import { Req, Rpy } from "./codes.js";
import type { Exchange } from "./packet.js";

export interface ChronyActivity {
  online: number;
  offline: number;
  burstOnline: number;
  burstOffline: number;
  unresolved: number;
}

const FIELDS = ["online", "offline", "burstOnline", "burstOffline", "unresolved"] as const;

export const ACTIVITY: Exchange<void, ChronyActivity> = {
  name: "activity",
  command: Req.ACTIVITY,
  requestDataLength: 0,
  writeRequest: () => undefined,
  readRequest: () => undefined,
  replies: [
    {
      reply: Rpy.ACTIVITY,
      dataLength: 4 * FIELDS.length,
      chrony: "4.x",
      write(d, r) {
        for (const [i, f] of FIELDS.entries()) d.writeInt32BE(r[f], 4 * i);
      },
      read: (d) => Object.fromEntries(FIELDS.map((f, i) => [f, d.readInt32BE(4 * i)])) as unknown as ChronyActivity,
    },
  ],
};
