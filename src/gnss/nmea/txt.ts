/*
 * TXT — Text transmission.
 *         1  2  3  4
 *  $--TXT,xx,xx,xx,c--c*hh
 *  1 total, 2 number, 3 type (00 error, 01 warning, 02 notice, 07 user),
 *  4 text. u-blox reports antenna state here ("ANTSTATUS=OPEN") and, at
 *  start-up, who it is:
 *    u-blox ag - www.u-blox.com | HW UBX-M80xx 00080000 | ROM CORE 3.01 (107888)
 *    EXT CORE 6.00 (33247) May 13 2009 | FWVER=TIM 1.10 | PROTVER=22.00 | MOD=NEO-M8T-0
 *  (LEA-5 writes "MOD LEA-5H-0"). Quectel and CASIC-based modules (L76K)
 *  say "ANTENNA OK" / "ANTENNA OPEN" / "ANTENNA SHORT".
 */
import { decoded, type AntennaState, type Decoded, type ReceiverIdentity } from "../report.js";
import type { Sentence } from "./sentence.js";

/** u-blox's words (INIT and DONTKNOW: the receiver cannot tell, e.g. no supervisor circuit). */
const ANTSTATUS: Record<string, AntennaState> = { OK: "ok", OPEN: "open", SHORT: "short", INIT: "unknown", DONTKNOW: "unknown" };

function antennaOf(text: string): AntennaState | undefined {
  const word = /^ANTSTATUS=(\w+)/.exec(text)?.[1] ?? /^ANTENNA (OK|OPEN|SHORT)\b/.exec(text)?.[1];
  return word !== undefined ? ANTSTATUS[word] : undefined;
}

/** One start-up line's contribution to the receiver's identity, if it is one. */
function identityOf(text: string): ReceiverIdentity | undefined {
  const t = text.trim().replace(/\s+/g, " ");
  if (/^u-blox ag\b/i.test(t)) return { vendor: "u-blox" };
  let m = /^HW (\S+(?: [0-9A-F]{8})?)/.exec(t);
  if (m) return { hardware: m[1]! };
  m = /^(?:ROM |EXT |FLASH )?CORE (.+)$/.exec(t);
  if (m) return { firmware: t };
  m = /^FWVER=(.+)$/.exec(t);
  if (m) return { firmware: m[1]! };
  m = /^PROTVER[= ](.+)$/.exec(t);
  if (m) return { protocol: m[1]! };
  m = /^MOD[= ](.+)$/.exec(t);
  if (m) return { model: m[1]! };
  return undefined;
}

export function decodeTxt(s: Sentence): Decoded {
  const text = s.fields.slice(3).join(",");
  const antenna = antennaOf(text);
  const receiver = identityOf(text);
  return decoded({ source: s.talker + "TXT", text, ...(antenna ? { antenna } : {}), ...(receiver ? { receiver } : {}) });
}
