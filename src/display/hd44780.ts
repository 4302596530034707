/*
 * HD44780 character LCD in 4-bit mode behind a PCF8574 I2C port expander.
 * Every byte sent to the PCF8574 sets all eight lines at once; the LCD
 * latches D4..D7 on the falling edge of EN, so each nibble costs two bytes
 * (EN high, EN low) and each character or instruction four. Runs of
 * characters go out in one I2C transaction: at 100 kHz a byte takes 90 µs,
 * longer than the 37 µs an ordinary instruction needs, so only clear and
 * home (1.52 ms) need a wait of their own.
 */
import type { I2cBus } from "../hal/i2cBus.js";
import { portByte, type PinMap } from "./pcf8574Pins.js";

export interface LcdGeometry {
  cols: number;
  rows: number;
}

/** DDRAM address of each row's first cell (the 20x4 rows 2 and 3 continue rows 0 and 1). */
export const ROW_OFFSETS = [0x00, 0x40, 0x14, 0x54] as const;

export const CMD = {
  clear: 0x01,
  home: 0x02,
  entryIncrement: 0x06,
  displayOff: 0x08,
  displayOn: 0x0c,
  functionSet8bit: 0x30,
  functionSet4bit: 0x20,
  /** 4-bit, two display lines (also for 4-row panels, which are two lines folded), 5x8 font. */
  functionSet4bitTwoLines: 0x28,
  setCgram: 0x40,
  setDdram: 0x80,
} as const;

/** Longest a single I2C transaction is allowed to be (bytes), so one update never hogs the bus. */
const MAX_TRANSFER = 256;

export interface BusCounters {
  bytes: number;
  writes: number;
}

export class Hd44780 {
  readonly counters: BusCounters = { bytes: 0, writes: 0 };
  private pending: number[] = [];
  backlight = true;
  /**
   * True until init() has run, and again after any failed transfer: part of
   * it may have reached the controller and left it between the two nibbles
   * of a byte, so everything after would be paired wrongly until re-init.
   */
  needsInit = true;

  constructor(
    private readonly bus: I2cBus,
    readonly address: number,
    private readonly pins: PinMap,
    readonly geometry: LcdGeometry,
    private readonly delayUs: (us: number) => Promise<void>,
  ) {}

  /**
   * The datasheet's "initializing by instruction" for a 4-bit interface
   * (HD44780U, figure 24): it works whatever state the controller was left in,
   * including mid-byte in 4-bit mode after a reset of the Pi alone.
   */
  async init(): Promise<void> {
    this.pending = [];
    await this.delayUs(50_000); // > 40 ms after power reaches 2.7 V
    await this.nibbleNow(CMD.functionSet8bit >> 4);
    await this.delayUs(4_500); // > 4.1 ms
    await this.nibbleNow(CMD.functionSet8bit >> 4);
    await this.delayUs(150); // > 100 µs
    await this.nibbleNow(CMD.functionSet8bit >> 4);
    await this.delayUs(150);
    await this.nibbleNow(CMD.functionSet4bit >> 4);
    await this.delayUs(150);
    this.command(CMD.functionSet4bitTwoLines);
    this.command(CMD.displayOff);
    this.command(CMD.clear);
    await this.flush();
    await this.delayUs(2_000); // clear: 1.52 ms
    this.command(CMD.entryIncrement);
    this.command(CMD.displayOn);
    await this.flush();
    this.needsInit = false;
  }

  /** Queues an instruction; it goes out with the next flush. */
  command(value: number): void {
    this.queueByte(value, false);
  }

  /** Queues a character code for the cell at the address counter. */
  data(value: number): void {
    this.queueByte(value, true);
  }

  /** Queues a cursor move to (col, row). */
  moveTo(col: number, row: number): void {
    this.command(CMD.setDdram | (ROW_OFFSETS[row]! + col));
  }

  /** Queues the 8 rows (5 bits each) of custom character `slot` (0-7). The address counter is left in CGRAM: move the cursor afterwards. */
  defineGlyph(slot: number, rows: readonly number[]): void {
    this.command(CMD.setCgram | ((slot & 7) << 3));
    for (let i = 0; i < 8; i++) this.data((rows[i] ?? 0) & 0x1f);
  }

  /** Sets the backlight line; costs one byte. */
  async setBacklight(on: boolean): Promise<void> {
    this.backlight = on;
    this.pending.push(portByte(this.pins, 0, false, false, on));
    await this.flush();
  }

  /** Sends everything queued, in transactions of at most MAX_TRANSFER bytes. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const chunk = this.pending.splice(0, MAX_TRANSFER);
      this.counters.writes += 1;
      this.counters.bytes += chunk.length;
      try {
        await this.bus.write(this.address, Buffer.from(chunk));
      } catch (err) {
        this.pending = [];
        this.needsInit = true;
        throw err;
      }
    }
  }

  private queueByte(value: number, rs: boolean): void {
    this.queueNibble(value >> 4, rs);
    this.queueNibble(value & 0x0f, rs);
  }

  private queueNibble(nibble: number, rs: boolean): void {
    this.pending.push(portByte(this.pins, nibble, rs, true, this.backlight), portByte(this.pins, nibble, rs, false, this.backlight));
  }

  private async nibbleNow(nibble: number): Promise<void> {
    this.queueNibble(nibble, false);
    await this.flush();
  }
}
