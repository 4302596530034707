/*
 * TXT — Text transmission (nmea-simple has no codec for it).
 *         1  2  3  4
 *  $--TXT,xx,xx,xx,c--c*hh
 *  1 total, 2 number, 3 type (00 error, 01 warning, 02 notice, 07 user),
 *  4 text. u-blox reports antenna state here ("ANTSTATUS=OPEN") and its
 *  firmware version at start-up.
 */
import { decoded, type AntennaState, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";

/** u-blox's words (INIT and DONTKNOW: the receiver cannot tell, e.g. no supervisor circuit). */
const ANTSTATUS: Record<string, AntennaState> = { OK: "ok", OPEN: "open", SHORT: "short", INIT: "unknown", DONTKNOW: "unknown" };

export function decodeTxt(s: Sentence): Decoded {
  const text = s.fields.slice(3).join(",");
  const ant = /^ANTSTATUS=(\w+)/.exec(text)?.[1];
  const antenna = ant !== undefined ? ANTSTATUS[ant] : undefined;
  return decoded({ source: s.talker + "TXT", text, ...(antenna ? { antenna } : {}) });
}
