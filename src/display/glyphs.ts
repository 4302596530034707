/*
 * The panel's custom characters (5x8, one number per pixel row, CGRAM slots
 * 0-3). They are written again after every controller init: CGRAM does not
 * survive a power cycle of the display.
 */
export const GLYPH = { satellite: "\x00", lock: "\x01", antenna: "\x02", warning: "\x03" } as const;

export const GLYPH_ROWS: readonly (readonly number[])[] = [
  // satellite: two solar panels either side of the body
  [0b11011, 0b11011, 0b00100, 0b01110, 0b00100, 0b11011, 0b11011, 0b00000],
  // lock: shackle over a body
  [0b01110, 0b10001, 0b10001, 0b11111, 0b11011, 0b11011, 0b11111, 0b00000],
  // antenna: a mast with its elements
  [0b10101, 0b10101, 0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000],
  // warning: a triangle around "!"
  [0b00100, 0b01010, 0b01010, 0b10101, 0b10001, 0b10101, 0b11111, 0b00000],
];
