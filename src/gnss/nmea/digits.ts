/*
 * The shapes of NMEA number fields, checked by character codes. Every field
 * of every sentence passes through these, and on the unit's --jitless V8 a
 * regular expression is interpreted: these loops cost a fraction of one.
 */

/** A character code of '0' to '9'. */
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A character code of 'A' to 'Z' or '0' to '9': what an address field (talker and type) is made of. */
export const isUpperOrDigit = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90);

/** text[from, to) is all digits, and not empty. The test is written out, not isDigit: a call per character doubles the loop's cost on the interpreter. */
function digitsBetween(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** min to max digits and nothing else. */
export function isDigits(text: string, min: number, max: number): boolean {
  return text.length >= min && text.length <= max && digitsBetween(text, 0, text.length);
}

/** An optional '-', then min to max digits. */
export function isSignedDigits(text: string, min: number, max: number): boolean {
  return text.startsWith("-") ? isDigits(text.slice(1), min, max) : isDigits(text, min, max);
}

/**
 * Digits, optionally '.' and at least one more digit: `whole` digits before
 * the point exactly, or any number (at least one) when undefined; an optional
 * '-' first when signed.
 */
export function isDecimal(text: string, opts: { whole?: number; signed?: boolean } = {}): boolean {
  const start = opts.signed && text.startsWith("-") ? 1 : 0;
  const dot = text.indexOf(".");
  const end = dot < 0 ? text.length : dot;
  if (opts.whole !== undefined && end - start !== opts.whole) return false;
  if (!digitsBetween(text, start, end)) return false;
  return dot < 0 || digitsBetween(text, dot + 1, text.length);
}
