/*
 * A PCF8574 + HD44780 on a simulated I2C bus, decoding the exact byte stream
 * the real backpack would receive: the port byte's lines, EN falling edges,
 * 8-bit mode after power-on and 4-bit nibble pairs after the switch, the
 * instruction set (clear, home, entry mode, display control, function set,
 * CGRAM/DDRAM address) and data into DDRAM or CGRAM. Tests read the screen a
 * person would see; the simulated appliance prints it. It also records
 * instructions sent while the controller was still busy (the driver's
 * timing), and can be unplugged, power-cycled or made to fail.
 */
import type { I2cBus } from "../../src/hal/i2cBus.js";
import { COMMON_PIN_MAP, readPort, type PinMap } from "../../src/display/pcf8574Pins.js";
import { ROW_OFFSETS } from "../../src/display/hd44780.js";

/** At 100 kHz each byte (8 bits + ACK) takes 90 µs on the wire. */
const BYTE_US = 90;
const CLEAR_US = 1520;
const INSTRUCTION_US = 37;
const POWER_ON_US = 40_000;
/** HD44780U ROM A00 codes that are not ASCII. */
const ROM_A00: Record<number, string> = { 0xe4: "µ", 0x5c: "¥", 0x7e: "→", 0x7f: "←", 0xdf: "°", 0xff: "█" };

export interface DecodedInstruction {
  atUs: number;
  rs: boolean;
  value: number;
  /** The interface width the controller was in when it latched this. */
  width: 8 | 4;
}

export class LcdEmulator implements I2cBus {
  readonly name = "emulated-i2c";
  readonly log: DecodedInstruction[] = [];
  /** Instructions latched while the previous one was still executing, or before power-on settled. */
  readonly busyViolations: DecodedInstruction[] = [];
  private readonly ddram = new Uint8Array(128);
  private readonly cgram = new Uint8Array(64);
  // Power-on state, set by powerCycle() from the constructor.
  private ac!: number;
  private inCgram!: boolean;
  private increment!: boolean;
  private eightBit!: boolean;
  private high: number | undefined;
  private prevEn!: boolean;
  private busyUntilUs!: number;
  private poweredAtUs!: number;
  /** When the last byte finished on the wire: a transfer cannot start before the previous one ended. */
  private wireFreeUs = 0;
  displayOn!: boolean;
  cursorOn!: boolean;
  blinkOn!: boolean;
  backlight = false;
  twoLines = false;
  private attached = true;
  private failures: string[] = [];

  constructor(
    readonly address: number,
    readonly cols: number,
    readonly rows: number,
    private readonly nowUs: () => number,
    private readonly pins: PinMap = COMMON_PIN_MAP,
    /** Virtual-time runs: called with each transfer's wire time, as a real i2c-dev write blocks that long. */
    private readonly onWire?: (us: number) => void,
  ) {
    this.powerCycle();
  }

  async write(address: number, bytes: Buffer): Promise<void> {
    if (!this.attached || address !== this.address) throw new Error(`ENXIO: no device answered at 0x${address.toString(16)} on ${this.name}`);
    const failure = this.failures.shift();
    if (failure) {
      // A transfer that fails part-way still clocked some bytes into the chip.
      this.clockIn(bytes.subarray(0, bytes.length >> 1));
      throw new Error(failure);
    }
    this.clockIn(bytes);
    this.onWire?.(bytes.length * BYTE_US);
  }

  async close(): Promise<void> {}

  /** The next n writes fail with this error (e.g. "EREMOTEIO: remote I/O error" for a NACK). */
  failNext(n: number, message = "EREMOTEIO: Remote I/O error"): void {
    for (let i = 0; i < n; i++) this.failures.push(message);
  }

  /** Unplugged: every write is NACKed until plugged back, powered up fresh (8-bit mode, blank). */
  unplug(): void {
    this.attached = false;
  }

  plugIn(): void {
    this.attached = true;
    this.powerCycle();
  }

  powerCycle(): void {
    this.ddram.fill(0x20);
    this.cgram.fill(0);
    this.ac = 0;
    this.inCgram = false;
    this.increment = true;
    this.eightBit = true;
    this.high = undefined;
    this.prevEn = false;
    this.displayOn = false;
    this.cursorOn = false;
    this.blinkOn = false;
    this.poweredAtUs = this.nowUs();
    this.busyUntilUs = 0;
    this.log.length = 0;
  }

  /** What a person sees: one string per row; blank when the display is off. Custom glyphs show as their slot, "\x00".."\x07". */
  screen(): string[] {
    return Array.from({ length: this.rows }, (_, r) => {
      if (!this.displayOn) return " ".repeat(this.cols);
      const start = ROW_OFFSETS[r]!;
      return Array.from(this.ddram.subarray(start, start + this.cols), (c) => (c < 8 ? String.fromCharCode(c) : (ROM_A00[c] ?? String.fromCharCode(c)))).join("");
    });
  }

  /** The 8 pixel rows of custom glyph `slot`. */
  glyph(slot: number): number[] {
    return Array.from(this.cgram.subarray(slot * 8, slot * 8 + 8));
  }

  private clockIn(bytes: Buffer): void {
    const startUs = Math.max(this.nowUs(), this.wireFreeUs);
    this.wireFreeUs = startUs + bytes.length * BYTE_US;
    bytes.forEach((b, i) => {
      const line = readPort(this.pins, b);
      this.backlight = line.backlight;
      if (this.prevEn && !line.en && !line.rw) this.latch(line.nibble, line.rs, startUs + (i + 1) * BYTE_US);
      this.prevEn = line.en;
    });
  }

  private latch(nibble: number, rs: boolean, atUs: number): void {
    if (this.eightBit) {
      // D0..D3 are not wired on a 4-bit backpack: they read as 0.
      this.execute(nibble << 4, rs, atUs, 8);
      return;
    }
    if (this.high === undefined) {
      this.high = nibble;
      return;
    }
    const value = (this.high << 4) | nibble;
    this.high = undefined;
    this.execute(value, rs, atUs, 4);
  }

  private execute(value: number, rs: boolean, atUs: number, width: 8 | 4): void {
    const ins: DecodedInstruction = { atUs, rs, value, width };
    this.log.push(ins);
    if (atUs < this.busyUntilUs || atUs - this.poweredAtUs < POWER_ON_US) this.busyViolations.push(ins);
    let execUs = INSTRUCTION_US;
    if (rs) {
      if (this.inCgram) this.cgram[this.ac & 0x3f] = value & 0x1f;
      else this.ddram[this.ac & 0x7f] = value;
      this.ac = (this.ac + (this.increment ? 1 : -1)) & (this.inCgram ? 0x3f : 0x7f);
    } else if (value & 0x80) {
      this.ac = value & 0x7f;
      this.inCgram = false;
    } else if (value & 0x40) {
      this.ac = value & 0x3f;
      this.inCgram = true;
    } else if (value & 0x20) {
      this.eightBit = (value & 0x10) !== 0;
      if (width === 4) this.twoLines = (value & 0x08) !== 0;
      // The first 8-bit function sets of the reset sequence need 4.1 ms and 100 µs.
      if (width === 8) execUs = this.log.filter((x) => x.width === 8).length === 1 ? 4100 : 100;
    } else if (value & 0x10) {
      // cursor/display shift: not used by the driver; recorded in the log only
    } else if (value & 0x08) {
      this.displayOn = (value & 0x04) !== 0;
      this.cursorOn = (value & 0x02) !== 0;
      this.blinkOn = (value & 0x01) !== 0;
    } else if (value & 0x04) {
      this.increment = (value & 0x02) !== 0;
    } else if (value & 0x02) {
      this.ac = 0;
      this.inCgram = false;
      execUs = CLEAR_US;
    } else if (value & 0x01) {
      this.ddram.fill(0x20);
      this.ac = 0;
      this.inCgram = false;
      this.increment = true;
      execUs = CLEAR_US;
    }
    this.busyUntilUs = atUs + execUs;
  }
}
