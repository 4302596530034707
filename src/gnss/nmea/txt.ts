/*
 * TXT — Text transmission (nmea-simple has no codec for it).
 *         1  2  3  4
 *  $--TXT,xx,xx,xx,c--c*hh
 *  1 total, 2 number, 3 type (00 error, 01 warning, 02 notice, 07 user),
 *  4 text. u-blox reports antenna state here ("ANTSTATUS=OPEN") and its
 *  firmware version at start-up.
 */
import { decoded, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";

export function decodeTxt(s: Sentence): Decoded {
  return decoded({ source: s.talker + "TXT", text: s.fields.slice(3).join(",") });
}
