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

/** The value of an optional '-' and 1 to maxDigits digits, read in the one pass that checks them; NaN for anything else. */
export function signedDigitsValue(text: string, maxDigits: number): number {
  const start = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (text.length <= start || text.length - start > maxDigits) return Number.NaN;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
  }
  return start === 1 ? -value : value;
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
