/*
 * The envelope of an NMEA 0183 sentence:  $TTSSS,f1,f2,...*HH
 *   TT  talker (GP GPS, GL GLONASS, GA Galileo, GB/BD BeiDou, GQ QZSS, GN multi)
 *   SSS sentence type; proprietary sentences are $P + maker (PUBX, PMTK, PSTI)
 *   HH  XOR of every byte between '$' and '*', two hex digits
 * A sentence without a checksum is refused: on a noisy line the checksum is
 * the only thing between a corrupted digit and a wrong second.
 */
import type { DecodeReject } from "../report.js";
import { isDigit, isUpperOrDigit } from "./digits.js";

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

export type EnvelopeFault = { ok: false; reason: DecodeReject; detail: string };
export type SentenceResult = { ok: true; sentence: Sentence } | EnvelopeFault;

export function checksumOf(body: string): number {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x;
}

const hexValue = (c: number): number => (isDigit(c) ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * What is wrong with the sentence's checksum, or undefined when it is right. Checked by character
 * codes, not regular expressions: every sentence passes here, and on the unit's --jitless V8 a
 * regular expression is interpreted. `lineXor`, the XOR of raw's characters after the first, is the
 * framer's (it touched every byte already): given, the checksum costs no loop here.
 */
export function checksumFault(raw: string, lineXor?: number): EnvelopeFault | undefined {
  const star = raw.lastIndexOf("*");
  if (star < 0) return { ok: false, reason: "missing-checksum", detail: `no '*hh' checksum in ${JSON.stringify(raw.slice(0, 40))}` };
  const hi = hexValue(raw.charCodeAt(star + 1));
  const lo = hexValue(raw.charCodeAt(star + 2));
  if (raw.length !== star + 3 || hi < 0 || lo < 0) return { ok: false, reason: "bad-checksum", detail: `checksum field ${JSON.stringify(raw.slice(star + 1))} is not two hex digits` };
  // The framer's XOR took in '*' and the two digits too; XOR-ing them in again takes them out.
  const want = lineXor === undefined ? checksumOf(raw.slice(1, star)) : lineXor ^ 0x2a ^ raw.charCodeAt(star + 1) ^ raw.charCodeAt(star + 2);
  if (hi * 16 + lo !== want) {
    return { ok: false, reason: "bad-checksum", detail: `checksum ${raw.slice(star + 1).toUpperCase()} != computed ${want.toString(16).toUpperCase().padStart(2, "0")}` };
  }
  return undefined;
}

export function splitSentence(raw: string, lineXor?: number): SentenceResult {
  const fault = checksumFault(raw, lineXor);
  if (fault) return fault;
  // checksumFault found '*' and two digits at the end.
  const body = raw.slice(1, raw.length - 3);
  // The address taken off the front leaves the fields: no second array copied per sentence.
  const fields = body.split(",");
  const address = fields.shift() ?? "";
  let addressOk = address.length >= 3 && address.length <= 8;
  for (let i = 0; addressOk && i < address.length; i++) addressOk = isUpperOrDigit(address.charCodeAt(i));
  if (!addressOk) return { ok: false, reason: "malformed-sentence", detail: `bad address field ${JSON.stringify(address)}` };
  const proprietary = address.startsWith("P");
  return {
    ok: true,
    sentence: {
      raw,
      talker: proprietary ? "P" : address.slice(0, 2),
      type: proprietary ? address.slice(1) : address.slice(2),
      fields,
    },
  };
}

/** Appends "*HH" to a sentence body that starts with '$'; used by the simulator and tests. */
export function withChecksum(bodyWithDollar: string): string {
  return `${bodyWithDollar}*${checksumOf(bodyWithDollar.slice(1)).toString(16).toUpperCase().padStart(2, "0")}`;
}
