/*
 * Setting keys in the text of a config file the way a person would edit it:
 * the line that decides the key (the last one, as the loader reads it) gets
 * the new value and keeps its comment; a key not set yet goes under its
 * commented-out example ("# time.floor = …") if the file has one, else at the
 * end. Every other line, comments and blank lines included, stays as it was.
 */

export interface Change {
  key: string;
  /** The value the file had (null: not set, the default applied). */
  before: string | null;
  after: string;
}

const ACTIVE = /^(\s*)([A-Za-z0-9_.-]+)(\s*=\s*)(.*?)(\s+#.*)?$/;
const EXAMPLE = /^\s*#\s*([A-Za-z0-9_.-]+)\s*=/;

export function setKeys(text: string, settings: ReadonlyArray<readonly [string, string]>): { text: string; changes: Change[] } {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text === "" ? [] : text.split(/\r?\n/);
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === "";
  if (endsWithNewline) lines.pop();
  const changes: Change[] = [];
  for (const [key, value] of settings) {
    let last = -1;
    lines.forEach((l, i) => {
      if (ACTIVE.exec(l)?.[2] === key) last = i;
    });
    if (last >= 0) {
      const m = ACTIVE.exec(lines[last]!)!;
      changes.push({ key, before: m[4]!, after: value });
      lines[last] = `${m[1]}${key}${m[3]}${value}${m[5] ?? ""}`;
      continue;
    }
    changes.push({ key, before: null, after: value });
    const example = lines.findIndex((l) => EXAMPLE.exec(l)?.[1] === key);
    if (example >= 0) lines.splice(example + 1, 0, `${key} = ${value}`);
    else lines.push(`${key} = ${value}`);
  }
  return { text: lines.join(eol) + eol, changes };
}
