/*
 * Prometheus's text exposition format (version 0.0.4), read strictly, for
 * tests: every line must be a comment, HELP, TYPE or a sample of a family
 * announced before it, so a malformed line fails the test instead of being
 * skipped.
 */
export interface ExposedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposed {
  families: Map<string, { type: string; help: string }>;
  samples: ExposedSample[];
  /** The value of the one series of `name` whose labels include `labels`; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  series(name: string): ExposedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i));
    if (!m) throw new Error(`bad label at ${i} in: ${line}`);
    i += m[0].length;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      i++;
      if (c === '"') break;
      if (c === "\\") {
        const e = text[i++];
        value += e === "n" ? "\n" : e === "\\" ? "\\" : e === '"' ? '"' : `\\${e}`;
      } else value += c;
    }
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]!] = value;
    if (text[i] === ",") i++;
    else if (i < text.length) throw new Error(`expected ',' at ${i} in: ${line}`);
  }
  return labels;
}

function parseValue(raw: string, line: string): number {
  if (raw === "NaN") return NaN;
  if (raw === "+Inf") return Infinity;
  if (raw === "-Inf") return -Infinity;
  const v = Number(raw);
  if (raw.trim() === "" || Number.isNaN(v)) throw new Error(`bad value in: ${line}`);
  return v;
}

export function parseExposition(text: string): Exposed {
  const families = new Map<string, { type: string; help: string }>();
  const help = new Map<string, string>();
  const samples: ExposedSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# HELP ")) {
      const [name, ...rest] = line.slice(7).split(" ");
      if (!name || !NAME.test(name)) throw new Error(`bad HELP: ${line}`);
      help.set(name, rest.join(" "));
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      if (!name || !NAME.test(name) || !["counter", "gauge", "histogram", "summary", "untyped"].includes(type ?? "")) throw new Error(`bad TYPE: ${line}`);
      if (families.has(name)) throw new Error(`TYPE twice for ${name}`);
      families.set(name, { type: type!, help: help.get(name) ?? "" });
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    if (!families.has(m[1]!)) throw new Error(`sample before its TYPE: ${line}`);
    samples.push({ name: m[1]!, labels: m[3] ? parseLabels(m[3], line) : {}, value: parseValue(m[4]!, line) });
  }
  const matches = (s: ExposedSample, labels: Record<string, string>): boolean => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    families,
    samples,
    series: (name) => samples.filter((s) => s.name === name),
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && matches(s, labels));
      if (found.length > 1) throw new Error(`${name}${JSON.stringify(labels)} matches ${found.length} series`);
      return found[0]?.value;
    },
  };
}

/** A series' identity: its name and sorted labels. */
export const seriesKey = (s: ExposedSample): string =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(",")}}`;
