/*
 * GSV — Satellites in view, in groups of four.
 *         1 2 3  4  5  6   7   ...           last (NMEA 4.1+)
 *  $--GSV,n,m,tt,pp,ee,aaa,ss, ... x 4 ..., signal id *hh
 *  1 messages in this group, 2 this message, 3 satellites in view.
 * The talker names the constellation (GP, GL, GA, GB/BD, GQ); the count is
 * taken from the first message of each group.
 */
import { parseNmeaSentence, type GSVPacket } from "nmea-simple";
import { decoded, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";

export function decodeGsv(s: Sentence): Decoded {
  const packet = parseNmeaSentence(s.raw) as GSVPacket;
  const source = s.talker + "GSV";
  if (packet.messageNumber !== 1 || !Number.isFinite(packet.satellitesInView)) return decoded({ source });
  return decoded({ source, satellitesSeen: { system: s.talker, count: packet.satellitesInView } });
}
