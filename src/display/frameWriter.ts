/*
 * Keeps a model of what the glass shows and sends only what changed: for
 * each run of changed cells, one cursor move (skipped when the address
 * counter is already there) and the new characters, all in one transaction.
 * A 1 Hz clock then costs a few characters, not a full redraw. After a
 * failed transfer the controller is initialised again and the next frame is
 * complete: it may have been power-cycled or left between two nibbles.
 */
import { ROW_OFFSETS, type Hd44780 } from "./hd44780.js";

/** Characters the HD44780 ROM (A00) has outside ASCII, and what stands in for the ones it lacks. */
const TO_ROM: Record<string, number> = { µ: 0xe4, "°": 0xdf, "→": 0x7e, "←": 0x7f, "█": 0xff, "\\": 0x2f, "~": 0x2d };

export function encodeCell(ch: string): number {
  const code = ch.codePointAt(0) ?? 0x20;
  if (code < 8) return code; // custom glyph slots
  if (ch in TO_ROM) return TO_ROM[ch]!;
  if (code >= 0x20 && code < 0x7e) return code;
  return 0x3f; // "?": no such character in the ROM
}

export class FrameWriter {
  /** Codes on the glass, or -1 where unknown (after start or a reconnect). */
  private shown: number[][];
  private address: number | undefined;

  /** `glyphs[i]` is defined in CGRAM slot i after every init. */
  constructor(
    private readonly lcd: Hd44780,
    private readonly glyphs: readonly (readonly number[])[] = [],
  ) {
    const { rows, cols } = lcd.geometry;
    this.shown = Array.from({ length: rows }, () => new Array<number>(cols).fill(-1));
  }

  invalidate(): void {
    for (const row of this.shown) row.fill(-1);
    this.address = undefined;
  }

  /** Brings the glass to `lines` (each padded or cut to the width); resolves when the bytes are on the bus. */
  async render(lines: readonly string[]): Promise<void> {
    if (this.lcd.needsInit) {
      await this.lcd.init();
      this.invalidate();
      for (const [slot, rows] of this.glyphs.entries()) this.defineGlyph(slot, rows);
    }
    const { rows, cols } = this.lcd.geometry;
    for (let r = 0; r < rows; r++) {
      const want = [...(lines[r] ?? "").padEnd(cols).slice(0, cols)].map(encodeCell);
      while (want.length < cols) want.push(0x20);
      const row = this.shown[r]!;
      for (let c = 0; c < cols; c++) {
        if (row[c] === want[c]) continue;
        const addr = ROW_OFFSETS[r]! + c;
        if (this.address !== addr) this.lcd.moveTo(c, r);
        this.lcd.data(want[c]!);
        row[c] = want[c]!;
        this.address = addr + 1;
      }
    }
    try {
      await this.lcd.flush();
    } catch (err) {
      // What reached the glass is unknown now.
      this.invalidate();
      throw err;
    }
  }

  /** Queues custom glyph `slot` (sent with the next render). It moves the address counter into CGRAM, so the next cell write moves the cursor. */
  defineGlyph(slot: number, rows: readonly number[]): void {
    this.lcd.defineGlyph(slot, rows);
    this.address = undefined;
  }
}
