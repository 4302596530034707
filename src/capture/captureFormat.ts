/*
 * The stratum1 capture format, version 1: what a receiver and its pulse did,
 * with the moment each thing happened, in a text file a person can read and
 * git can diff.
 *
 *   stratum1-capture 1
 *   H baud 9600
 *   H receiver u-blox NEO-M8N
 *   # any comment
 *   S 1764392400.171234000 $GNRMC,045959.00,A,...*7A\r\n
 *   A 1764392401.000001234 4711
 *   C 1764392401.100001234 4711
 *   E 1764392410.000000000 unplug
 *
 * The first line names the format and its version; a reader refuses other
 * versions rather than guess. Then one record per line, in time order:
 *   H KEY VALUE   header: receiver, baud, board, date, source, serial, pps, …
 *                 (before the first timed record; unknown keys are kept)
 *   S TIME BYTES  serial bytes as one read() returned them, TIME being when
 *                 it returned (the service's own stamp). BYTES are exact:
 *                 printable ASCII as itself, backslash as \\, CR and LF as
 *                 \r \n, every other byte as \xHH, so NMEA reads as text and
 *                 UBX binary survives.
 *   A TIME SEQ [TRUTH]  a PPS assert edge with the kernel's timestamp and
 *                 sequence number. TRUTH, when present, is the UTC second the
 *                 edge really marks (ISO, 'leap' for an inserted 23:59:60, or
 *                 'none' for a glitch that marks no second); without it the
 *                 edge marks the second nearest TIME.
 *   C TIME SEQ    a PPS clear edge.
 *   E TIME EVENT [ARGS]  something that happened to the set-up rather than in
 *                 the stream: unplug, replug (the serial device vanished and
 *                 came back), chrony-restart [SECONDS DOWN], baud N (the
 *                 receiver now sends at N baud: later S records are what it
 *                 sent), note TEXT.
 * TIME is CLOCK_REALTIME as SECONDS.NANOSECONDS (nine digits), exact.
 * A file whose name ends in .gz is gzip-compressed.
 */
import type { Instant } from "../hal/instant.js";

export const CAPTURE_MAGIC = "stratum1-capture";
export const CAPTURE_VERSION = 1;

/** The UTC second an edge marks: a POSIX second, the inserted leap second, or none (a glitch on the wire). */
export type EdgeTruth = number | "leap" | "none";

export type CaptureEventName = "unplug" | "replug" | "chrony-restart" | "baud" | "note";
const EVENT_NAMES: readonly string[] = ["unplug", "replug", "chrony-restart", "baud", "note"];

export type CaptureRecord =
  | { kind: "serial"; at: Instant; bytes: Buffer }
  | { kind: "assert"; at: Instant; seq: number; truth?: EdgeTruth }
  | { kind: "clear"; at: Instant; seq: number }
  | { kind: "event"; at: Instant; event: CaptureEventName; args: string };

/** Header keys are free-form; these are the ones the tools write and read. */
export interface CaptureHeader {
  [key: string]: string | undefined;
  receiver?: string;
  baud?: string;
  board?: string;
  date?: string;
  source?: string;
}

export interface Capture {
  header: CaptureHeader;
  records: CaptureRecord[];
}

export class CaptureFormatError extends Error {}

export function formatInstant(t: Instant): string {
  return `${t.sec}.${String(t.nsec).padStart(9, "0")}`;
}

export function parseInstant(text: string): Instant | undefined {
  const m = /^(\d+)\.(\d{9})$/.exec(text);
  return m ? { sec: Number(m[1]), nsec: Number(m[2]) } : undefined;
}

export function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x0a) out += "\\n";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return out;
}

export function unescapeBytes(text: string): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      if (c < 0x20 || c >= 0x7f) return undefined;
      out.push(c);
      continue;
    }
    const e = text[++i];
    if (e === "\\") out.push(0x5c);
    else if (e === "r") out.push(0x0d);
    else if (e === "n") out.push(0x0a);
    else if (e === "x" && /^[0-9a-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else return undefined;
  }
  return Buffer.from(out);
}

const isoTruth = (t: EdgeTruth): string => (typeof t === "string" ? t : new Date(t * 1000).toISOString().replace(".000Z", "Z"));

export function formatRecord(r: CaptureRecord): string {
  const at = formatInstant(r.at);
  switch (r.kind) {
    case "serial":
      return `S ${at} ${escapeBytes(r.bytes)}`;
    case "assert":
      return `A ${at} ${r.seq}${r.truth !== undefined ? ` ${isoTruth(r.truth)}` : ""}`;
    case "clear":
      return `C ${at} ${r.seq}`;
    case "event":
      return `E ${at} ${r.event}${r.args ? ` ${r.args}` : ""}`;
  }
}

export function formatHeader(header: CaptureHeader): string[] {
  const lines = [`${CAPTURE_MAGIC} ${CAPTURE_VERSION}`];
  for (const [k, v] of Object.entries(header)) {
    if (v === undefined) continue;
    if (!/^[a-z][a-z0-9-]*$/.test(k)) throw new CaptureFormatError(`header key '${k}': use lower-case letters, digits and '-'`);
    lines.push(`H ${k} ${v.replace(/[\r\n]+/g, " ")}`);
  }
  return lines;
}

export function formatCapture(c: Capture): string {
  return [...formatHeader(c.header), ...c.records.map(formatRecord)].join("\n") + "\n";
}

/**
 * Reads a capture line by line. Every malformed line is an error naming the
 * line and what is wrong with it: a capture is evidence, and a half-read one
 * would judge the service on bytes it never received.
 */
export class CaptureParser {
  readonly header: CaptureHeader = {};
  private lineNo = 0;
  private sawMagic = false;
  private lastAt: Instant | undefined;

  constructor(private readonly name: string) {}

  /** One line (without its newline); returns the record it holds, if any. */
  line(text: string): CaptureRecord | undefined {
    this.lineNo += 1;
    const where = `${this.name}:${this.lineNo}`;
    if (!this.sawMagic) {
      const m = new RegExp(`^${CAPTURE_MAGIC} (\\d+)$`).exec(text.trim());
      if (!m)
        throw new CaptureFormatError(
          `${where}: not a stratum1 capture (the first line must be '${CAPTURE_MAGIC} ${CAPTURE_VERSION}'); an untimed log is turned into one with 'npm run hil -- convert'`,
        );
      if (Number(m[1]) !== CAPTURE_VERSION) throw new CaptureFormatError(`${where}: capture format version ${m[1]}; this build reads version ${CAPTURE_VERSION}`);
      this.sawMagic = true;
      return undefined;
    }
    if (text === "" || text.startsWith("#")) return undefined;
    const kind = text[0];
    const rest = text.slice(2);
    if (text[1] !== " ") throw new CaptureFormatError(`${where}: expected a record type letter and a space, found ${JSON.stringify(text.slice(0, 20))}`);
    if (kind === "H") {
      if (this.lastAt) throw new CaptureFormatError(`${where}: header line after the first timed record`);
      const sp = rest.indexOf(" ");
      const key = sp < 0 ? rest : rest.slice(0, sp);
      this.header[key] = sp < 0 ? "" : rest.slice(sp + 1);
      return undefined;
    }
    const sp = rest.indexOf(" ");
    const at = parseInstant(sp < 0 ? rest : rest.slice(0, sp));
    if (!at) throw new CaptureFormatError(`${where}: time ${JSON.stringify(rest.slice(0, sp < 0 ? 30 : sp))} is not SECONDS.NANOSECONDS (nine digits)`);
    if (this.lastAt && (at.sec < this.lastAt.sec || (at.sec === this.lastAt.sec && at.nsec < this.lastAt.nsec))) {
      throw new CaptureFormatError(`${where}: time ${formatInstant(at)} goes back from ${formatInstant(this.lastAt)}: records must be in time order`);
    }
    this.lastAt = at;
    const arg = sp < 0 ? "" : rest.slice(sp + 1);
    switch (kind) {
      case "S": {
        const bytes = unescapeBytes(arg);
        if (!bytes || bytes.length === 0) throw new CaptureFormatError(`${where}: serial bytes are empty or badly escaped (printable ASCII, \\\\, \\r, \\n, \\xHH)`);
        return { kind: "serial", at, bytes };
      }
      case "A":
      case "C": {
        const [seqText = "", truthText, extra] = arg.split(" ");
        if (!/^\d+$/.test(seqText) || extra !== undefined) throw new CaptureFormatError(`${where}: expected '${kind} TIME SEQ${kind === "A" ? " [TRUTH]" : ""}'`);
        if (kind === "C") {
          if (truthText !== undefined) throw new CaptureFormatError(`${where}: a clear edge carries no truth`);
          return { kind: "clear", at, seq: Number(seqText) };
        }
        if (truthText === undefined) return { kind: "assert", at, seq: Number(seqText) };
        const truth = truthText === "leap" || truthText === "none" ? truthText : Date.parse(truthText) / 1000;
        if (typeof truth === "number" && !Number.isInteger(truth)) throw new CaptureFormatError(`${where}: truth '${truthText}' is neither an ISO second, 'leap' nor 'none'`);
        return { kind: "assert", at, seq: Number(seqText), truth };
      }
      case "E": {
        const esp = arg.indexOf(" ");
        const event = esp < 0 ? arg : arg.slice(0, esp);
        const args = esp < 0 ? "" : arg.slice(esp + 1);
        if (!EVENT_NAMES.includes(event)) throw new CaptureFormatError(`${where}: unknown event '${event}' (known: ${EVENT_NAMES.join(", ")})`);
        if (event === "baud" && !/^\d+$/.test(args)) throw new CaptureFormatError(`${where}: 'baud' needs the new rate`);
        return { kind: "event", at, event: event as CaptureEventName, args };
      }
      default:
        throw new CaptureFormatError(`${where}: unknown record type '${kind}' (H, S, A, C or E)`);
    }
  }

  /** After the last line: a file without even the first line is not a capture. */
  end(): void {
    if (!this.sawMagic) throw new CaptureFormatError(`${this.name}: empty file, not a stratum1 capture`);
  }
}

export function parseCapture(text: string, name = "capture"): Capture {
  const parser = new CaptureParser(name);
  const records: CaptureRecord[] = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const l of lines) {
    const r = parser.line(l);
    if (r) records.push(r);
  }
  parser.end();
  return { header: parser.header, records };
}
