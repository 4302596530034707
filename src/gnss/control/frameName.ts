/*
 * The name a frame is configured by: NMEA sentences by type whatever the
 * talker (GPRMC and GNRMC are both "RMC"; u-blox CFG-MSG and MediaTek
 * PMTK314 switch the type, not the talker), proprietary sentences by maker
 * and number ("PMTK001", "PUBX"), UBX by u-blox's message name.
 */
import type { Frame } from "../frame.js";
import { isUpperOrDigit } from "../nmea/digits.js";
import { ubxMessageName } from "../ubx/messageIds.js";

export function frameName(f: Frame): string {
  if (f.kind === "ubx") return ubxMessageName(f.msgClass, f.msgId);
  const address = addressField(f.text);
  if (address.startsWith("P")) return address;
  return address.length >= 5 ? address.slice(2) : address;
}

/** The 3 to 8 capitals or digits between '$' (or '!') and the first ',' or '*'; "" when there are none. By character codes: every frame passes here. */
function addressField(text: string): string {
  const first = text.charCodeAt(0);
  if (first !== 0x24 && first !== 0x21) return "";
  let end = 1;
  while (end <= 9 && isUpperOrDigit(text.charCodeAt(end))) end++;
  const after = text.charCodeAt(end);
  return end - 1 >= 3 && end - 1 <= 8 && (after === 0x2c || after === 0x2a) ? text.slice(1, end) : "";
}
