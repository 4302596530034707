/*
 * How a PCF8574 backpack wires its 8 outputs to the HD44780: which bit is RS,
 * RW, EN, the backlight transistor, and D4..D7. The common boards use
 * P0=RS P1=RW P2=EN P3=backlight P4..P7=D4..D7; others swap them, so the map
 * is configuration, and both the driver and the emulator read it.
 */
export interface PinMap {
  rs: number;
  rw: number;
  en: number;
  backlight: number;
  /** Bit numbers of D4, D5, D6, D7. */
  data: readonly [number, number, number, number];
}

export const COMMON_PIN_MAP: PinMap = { rs: 0, rw: 1, en: 2, backlight: 3, data: [4, 5, 6, 7] };

/** Parses "rs,rw,en,bl,d4,d5,d6,d7" (bit numbers 0-7, each once). */
export function parsePinMap(text: string): PinMap | undefined {
  const bits = text.split(",").map((s) => Number(s.trim()));
  if (bits.length !== 8 || bits.some((b) => !Number.isInteger(b) || b < 0 || b > 7) || new Set(bits).size !== 8) return undefined;
  const [rs, rw, en, backlight, d4, d5, d6, d7] = bits as [number, number, number, number, number, number, number, number];
  return { rs, rw, en, backlight, data: [d4, d5, d6, d7] };
}

/** The port byte that puts `nibble` (4 bits) on D4..D7 with the given control lines. */
export function portByte(map: PinMap, nibble: number, rs: boolean, en: boolean, backlight: boolean): number {
  let b = 0;
  for (let i = 0; i < 4; i++) if (nibble & (1 << i)) b |= 1 << map.data[i]!;
  if (rs) b |= 1 << map.rs;
  if (en) b |= 1 << map.en;
  if (backlight) b |= 1 << map.backlight;
  return b;
}

/** The inverse, for the emulator: what the HD44780 sees on its pins. */
export function readPort(map: PinMap, b: number): { nibble: number; rs: boolean; rw: boolean; en: boolean; backlight: boolean } {
  let nibble = 0;
  for (let i = 0; i < 4; i++) if (b & (1 << map.data[i]!)) nibble |= 1 << i;
  const bit = (n: number) => (b & (1 << n)) !== 0;
  return { nibble, rs: bit(map.rs), rw: bit(map.rw), en: bit(map.en), backlight: bit(map.backlight) };
}
