/*
 * Terminal colours for stratum1ctl: only when stdout is a terminal and
 * NO_COLOR is unset or empty (no-color.org), so pipes, scripts and log files
 * get plain text.
 */
import type { CtlIo } from "./command.js";

export interface Style {
  ok(t: string): string;
  warn(t: string): string;
  bad(t: string): string;
  bold(t: string): string;
  dim(t: string): string;
}

const sgr = (code: string) => (t: string) => `\x1b[${code}m${t}\x1b[0m`;

const PLAIN: Style = { ok: (t) => t, warn: (t) => t, bad: (t) => t, bold: (t) => t, dim: (t) => t };
const COLOUR: Style = { ok: sgr("32"), warn: sgr("33"), bad: sgr("1;31"), bold: sgr("1"), dim: sgr("2") };

export function styleFor(io: CtlIo): Style {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "";
  return io.isTty && !noColor ? COLOUR : PLAIN;
}

/** Printed width of text that may hold colour codes. */
export const visibleLength = (t: string): number => t.replace(/\x1b\[[0-9;]*m/g, "").length;
