/* The emulated LCD drawn in a terminal, for the simulated appliance: its glyphs as look-alike characters, the backlight as a word (and dim text on a colour terminal). */
import type { LcdEmulator } from "./fakes/lcdEmulator.js";

/** Single-width stand-ins for the custom glyphs (satellite, lock, antenna, warning). */
const GLYPH_LOOKALIKE = ["¤", "✓", "Ψ", "!"];

export function lcdBox(emu: LcdEmulator, colour: boolean): string[] {
  const rows = emu.screen().map((r) => r.replace(/[\x00-\x07]/g, (c) => GLYPH_LOOKALIKE[c.charCodeAt(0)] ?? "?"));
  const dim = colour && !emu.backlight;
  const body = rows.map((r) => `│${dim ? `\x1b[2m${r}\x1b[0m` : r}│`);
  const bar = "─".repeat(emu.cols);
  return [`┌${bar}┐`, ...body, `└${bar}┘ backlight ${emu.backlight ? "on" : "off"}`];
}
