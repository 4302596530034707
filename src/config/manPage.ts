/*
 * stratum1.conf(5), generated from the schema: every key with its doc, what
 * it accepts and its default, grouped by the key's prefix (serial.*, pps.*,
 * …). Pure: schema and facts in, roff (man(7) macros) out. Written to
 * man/stratum1.conf.5 by `npm run man` (stratum1d --man-config), and a unit
 * test (test/unit/manPages.test.ts) checks that the committed page is what
 * the schema gives, so the page cannot drift from the validator either.
 */
import type { KeySpec } from "./schema.js";

export interface ManPageFacts {
  /** package.json's version: the page's footer says which stratum1 it documents. */
  version: string;
  /** The page's date (YYYY-MM-DD): the firmware's release date. */
  date: string;
  /** The keys chrony's generated configuration is made from (chronyConf.ts's CHRONY_KEYS). */
  chronyKeys: readonly string[];
  /** The services to restart after changing a key, in order (what `stratum1ctl config set` says); none for a key read when it is used. */
  restartsFor(key: string): readonly string[];
}

/** Sections by the key's prefix, in the page's order; a prefix not listed here gets a section of its own at the end. */
const SECTIONS: ReadonlyArray<{ prefix: string; title: string }> = [
  { prefix: "serial", title: "The receiver" },
  { prefix: "time", title: "Trusting the receiver's time" },
  { prefix: "pps", title: "The pulse (PPS)" },
  { prefix: "chrony", title: "chrony" },
  { prefix: "shm", title: "ntpd and ntpsec (shared memory)" },
  { prefix: "ntp", title: "Serving time" },
  { prefix: "nts", title: "Network Time Security" },
  { prefix: "lcd", title: "The front panel" },
  { prefix: "capture", title: "Record and replay" },
  { prefix: "status", title: "The status snapshot" },
  { prefix: "metrics", title: "Prometheus metrics" },
  { prefix: "log", title: "The log" },
];

/**
 * Text to roff: backslashes, hyphens (so options and paths copy as typed),
 * quotes (an apostrophe at a line's start would be a control line, and
 * groff may render ' and ` as typographic quotes), and a leading dot.
 */
export function roffText(text: string): string {
  const escaped = text.replace(/\\/g, "\\e").replace(/-/g, "\\-").replace(/'/g, "\\(aq").replace(/`/g, "\\(ga");
  return escaped.startsWith(".") ? `\\&${escaped}` : escaped;
}

const sentence = (doc: string): string => (/[.!?]$/.test(doc) ? doc : `${doc}.`);

const defaultText = (value: unknown): string => (value === null || value === undefined ? "off" : String(value));

function groups(schema: Readonly<Record<string, KeySpec<unknown>>>): Array<{ title: string; keys: string[] }> {
  const prefixOf = (key: string): string => key.slice(0, key.indexOf(".") < 0 ? key.length : key.indexOf("."));
  const keys = Object.keys(schema);
  const known = SECTIONS.map((s) => ({ title: s.title, keys: keys.filter((k) => prefixOf(k) === s.prefix) }));
  const others = [...new Set(keys.map(prefixOf))].filter((p) => !SECTIONS.some((s) => s.prefix === p)).map((p) => ({ title: p, keys: keys.filter((k) => prefixOf(k) === p) }));
  return [...known, ...others].filter((g) => g.keys.length > 0);
}

export function configManPage(schema: Readonly<Record<string, KeySpec<unknown>>>, facts: ManPageFacts): string {
  const r = roffText;
  const lines: string[] = [
    `.\\" Generated from src/config/schema.ts by src/config/manPage.ts; do not edit.`,
    `.\\" Regenerate with: npm run man`,
    `.TH STRATUM1.CONF 5 ${facts.date} "stratum1 ${r(facts.version)}" "File Formats Manual"`,
    // Ragged right and no hyphenation: keys, paths and commands stay whole, and no line needs stretching.
    // groff 1.23 (trixie) re-adjusts every paragraph to the string AD, 1.22 keeps what .ad set: both.
    ".ds AD l",
    ".ad l",
    ".nh",
    ".SH NAME",
    "stratum1.conf \\- configuration of the stratum1 GPS time service",
    ".SH SYNOPSIS",
    ".I /etc/stratum1/stratum1.conf",
    ".SH DESCRIPTION",
    "This file says how the box keeps and serves time:",
    ".BR stratum1d (8)",
    "reads it, and so does",
    ".BR stratum1ctl (8);",
    "chrony's configuration is generated from it at every start of chrony",
    "(see",
    ".B CHRONY",
    "below).",
    ".PP",
    "It holds one",
    ".I key\\~=\\~value",
    "setting a line.",
    "A",
    ".B #",
    "at the start of a line, or after a blank, starts a comment; blank lines are ignored.",
    "A key that is not set keeps its default.",
    "Paths may not contain blanks, since chrony's configuration takes them as they are.",
    "Where a key accepts",
    ".BR off ,",
    "that value turns what it configures off.",
    ".PP",
    "Every problem in the file is reported at once, each naming the line, the key and the fix;",
    ".B stratum1d",
    "then exits with status 78 (EX_CONFIG), which its systemd unit does not restart.",
    ".B stratum1ctl config check",
    "reports the same problems without starting anything, and",
    ".B stratum1ctl config set",
    ".I KEY\\fB=\\fPVALUE",
    "changes keys in place, keeping comments and the other lines.",
    "Command-line flags of",
    ".B stratum1d",
    "override the file.",
    ".B stratum1d \\-\\-help\\-config",
    "prints the keys with their defaults, from the same table as this page.",
    ".SH KEYS",
  ];
  for (const group of groups(schema)) {
    lines.push(`.SS ${r(group.title)}`);
    for (const key of group.keys) {
      const spec = schema[key]!;
      lines.push(".TP", `.B ${r(key)}`, r(sentence(spec.doc)), ".IP");
      if (spec.values) lines.push(`Accepts: ${r(spec.values)}.`, ".br");
      lines.push(`Default: \\fB${r(defaultText(spec.default))}\\fP`);
      const restarts = facts.restartsFor(key);
      lines.push(".br", restarts.length > 0 ? `Applied by restarting: ${r(restarts.join(", then "))}.` : "Read when it is used: nothing to restart.");
    }
  }
  const chronyKeys = facts.chronyKeys.filter((k) => k in schema);
  lines.push(
    ".SH CHRONY",
    "chrony's drop-in for chrony.service runs",
    ".B stratum1ctl chrony\\-config \\-\\-out /run/chrony/chrony.conf",
    "before every start of chronyd, which then reads that file alone.",
    "It is made from these keys:",
    `${chronyKeys.map((k) => `.BR ${r(k)}${k === chronyKeys[chronyKeys.length - 1] ? " ." : " ,"}`).join("\n")}`,
    "Each key above names the services to restart after changing it;",
    ".B stratum1ctl config set",
    "says the same, and restarts them with",
    ".BR \\-\\-restart .",
    "A file with problems still yields a chrony configuration, with the defaults for the keys in question,",
    "so that chrony keeps serving time while",
    ".B stratum1d",
    "refuses to start.",
    "Directives of your own go in",
    ".IR /etc/stratum1/chrony.d/*.conf ,",
    "which chrony reads last.",
    ".SH FILES",
    ".TP",
    ".I /etc/stratum1/stratum1.conf",
    "This file.",
    "On the image it lies on the data partition",
    "(/etc/stratum1 is a link to /data/etc/stratum1),",
    "and a",
    ".I stratum1.conf",
    "on the boot partition replaces it at the next boot when it differs from the one taken last time.",
    ".TP",
    ".I /usr/share/stratum1/stratum1.conf",
    "The commented example the image starts from.",
    ".TP",
    ".I /etc/stratum1/chrony.d/",
    "Extra chrony directives.",
    ".TP",
    ".I /run/chrony/chrony.conf",
    "chrony's configuration, generated from this file.",
    ".SH EXAMPLES",
    "A u\\-blox M9 at 38400 baud, labelled pulses to chrony, no display, time served to the local networks only:",
    ".PP",
    ".RS 4",
    ".EX",
    "serial.path = /dev/serial0",
    "serial.baud = 38400",
    "lcd.bus = off",
    "ntp.allow = 192.168.0.0/16,fd00::/8",
    ".EE",
    ".RE",
    ".SH SEE ALSO",
    ".BR stratum1d (8),",
    ".BR stratum1ctl (8),",
    ".BR chrony.conf (5),",
    ".BR chronyd (8)",
    "",
  );
  return lines.join("\n");
}
