/*
 * The envelope of an NMEA 0183 sentence:  $TTSSS,f1,f2,...*HH
 *   TT  talker (GP GPS, GL GLONASS, GA Galileo, GB/BD BeiDou, GQ QZSS, GN multi)
 *   SSS sentence type; proprietary sentences are $P + maker (PUBX, PMTK, PSTI)
 *   HH  XOR of every byte between '$' and '*', two hex digits
 * A sentence without a checksum is refused: on a noisy line the checksum is
 * the only thing between a corrupted digit and a wrong second.
 */
import type { DecodeReject } from "../report.js";

export interface Sentence {
  /** The line without CR/LF, as received. */
  raw: string;
  /** "GP", "GN", … or "P" for proprietary. */
  talker: string;
  /** "RMC", "GSV", … or the maker+type of a proprietary sentence ("UBX", "MTK001"). */
  type: string;
  /** Fields after the address field, checksum stripped. */
  fields: string[];
}

export type SentenceResult = { ok: true; sentence: Sentence } | { ok: false; reason: DecodeReject; detail: string };

export function checksumOf(body: string): number {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x;
}

export function splitSentence(raw: string): SentenceResult {
  const star = raw.lastIndexOf("*");
  if (star < 0) return { ok: false, reason: "missing-checksum", detail: `no '*hh' checksum in ${JSON.stringify(raw.slice(0, 40))}` };
  const given = raw.slice(star + 1);
  if (!/^[0-9A-Fa-f]{2}$/.test(given)) return { ok: false, reason: "bad-checksum", detail: `checksum field ${JSON.stringify(given)} is not two hex digits` };
  const body = raw.slice(1, star);
  const want = checksumOf(body);
  if (parseInt(given, 16) !== want) {
    return { ok: false, reason: "bad-checksum", detail: `checksum ${given.toUpperCase()} != computed ${want.toString(16).toUpperCase().padStart(2, "0")}` };
  }
  const parts = body.split(",");
  const address = parts[0] ?? "";
  if (!/^[A-Z0-9]{3,8}$/.test(address)) return { ok: false, reason: "malformed-sentence", detail: `bad address field ${JSON.stringify(address)}` };
  const proprietary = address.startsWith("P");
  return {
    ok: true,
    sentence: {
      raw,
      talker: proprietary ? "P" : address.slice(0, 2),
      type: proprietary ? address.slice(1) : address.slice(2),
      fields: parts.slice(1),
    },
  };
}

/** Appends "*HH" to a sentence body that starts with '$'; used by the simulator and tests. */
export function withChecksum(bodyWithDollar: string): string {
  return `${bodyWithDollar}*${checksumOf(bodyWithDollar.slice(1)).toString(16).toUpperCase().padStart(2, "0")}`;
}
