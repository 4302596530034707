/*
 * The name a frame is configured by: NMEA sentences by type whatever the
 * talker (GPRMC and GNRMC are both "RMC"; u-blox CFG-MSG and MediaTek
 * PMTK314 switch the type, not the talker), proprietary sentences by maker
 * and number ("PMTK001", "PUBX"), UBX by u-blox's message name.
 */
import type { Frame } from "../frame.js";
import { ubxMessageName } from "../ubx/messageIds.js";

export function frameName(f: Frame): string {
  if (f.kind === "ubx") return ubxMessageName(f.msgClass, f.msgId);
  const address = /^[$!]([A-Z0-9]{3,8})[,*]/.exec(f.text)?.[1] ?? "";
  if (address.startsWith("P")) return address;
  return address.length >= 5 ? address.slice(2) : address;
}
