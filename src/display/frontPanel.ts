/*
 * The front panel: once a second, the screen for the current snapshot goes to
 * the LCD, only the changed cells on the bus, the backlight blinking while an
 * alarm is up. A display that is missing, NACKs or fails mid-update never
 * stops the service: the failure is logged once per outage, retried with a back-off from 1 s to a minute, and when the display
 * answers again it is initialised and redrawn completely, since it may have
 * been power-cycled. With lcd.address = auto the two common backpack
 * addresses are tried in turn.
 */
import type { Clock } from "../hal/clock.js";
import type { I2cBus } from "../hal/i2cBus.js";
import type { Logger } from "../log/logger.js";
import type { StatusSnapshot } from "../status/contract.js";
import { FrameWriter } from "./frameWriter.js";
import { GLYPH_ROWS } from "./glyphs.js";
import { Hd44780, type LcdGeometry } from "./hd44780.js";
import { renderScreen, type PageId } from "./pages.js";
import { portByte, type PinMap } from "./pcf8574Pins.js";
import type { LcdStatus } from "../status/contract.js";

/** PCF8574 (A0-A2 high) and PCF8574A (A0-A2 high): what nearly every backpack is set to. */
export const COMMON_ADDRESSES = [0x27, 0x3f] as const;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
/** Bus cost is averaged over this many seconds for the status. */
const RATE_WINDOW = 60;

export interface FrontPanelOptions {
  address: number | "auto";
  pins: PinMap;
  geometry: LcdGeometry;
  /** Seconds each page (or alarm) stays before the next. */
  pageS: number;
  /** The pages that take turns, in order. */
  pages: readonly PageId[];
  /** Waits for the HD44780's execution times (real: a timer; tests: virtual time). */
  delayUs: (us: number) => Promise<void>;
}

const hex = (a: number): string => `0x${a.toString(16).padStart(2, "0")}`;

export class FrontPanel {
  private lcd: Hd44780 | undefined;
  private frames: FrameWriter | undefined;
  private state: LcdStatus["state"] = "starting";
  private detail = "not drawn yet";
  private view: string | null = null;
  private drawing: Promise<void> | undefined;
  private retryAtMs = 0;
  private retryMs = FIRST_RETRY_MS;
  private inits = 0;
  private busErrors = 0;
  /** Bytes and writes of controllers dropped to be looked for again: the status's counts run on across a re-attach. */
  private readonly retired = { bytes: 0, writes: 0 };
  private readonly history: Array<{ bytes: number; writes: number }> = [];
  private stopped = false;

  constructor(
    private readonly bus: I2cBus,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: FrontPanelOptions,
  ) {}

  /** Draws the screen for `s` (call once a second). A draw still on the bus makes this one skip. */
  show(s: StatusSnapshot): void {
    const c = this.counters();
    this.history.push(c);
    if (this.history.length > RATE_WINDOW) this.history.shift();
    if (this.drawing || this.stopped || this.clock.monotonicMs() < this.retryAtMs) return;
    this.drawing = this.draw(s).finally(() => (this.drawing = undefined));
  }

  /** Resolves when the draw in flight (if any) has finished: for tests and an orderly stop. */
  async idle(): Promise<void> {
    await this.drawing;
  }

  status(): LcdStatus {
    const c = this.counters();
    const first = this.history[0] ?? c;
    // history[0] was read before the draw RATE_WINDOW - 1 seconds ago: the window holds history.length draws.
    const span = Math.max(1, this.history.length);
    return {
      state: this.state,
      detail: this.detail,
      bus: this.bus.name,
      address: this.lcd ? hex(this.lcd.address) : this.opts.address === "auto" ? null : hex(this.opts.address),
      size: `${this.opts.geometry.cols}x${this.opts.geometry.rows}`,
      view: this.view,
      backlight: this.lcd?.backlight ?? false,
      bytesPerSecond: (c.bytes - first.bytes) / span,
      writesPerSecond: (c.writes - first.writes) / span,
      bytes: c.bytes,
      writes: c.writes,
      inits: this.inits,
      busErrors: this.busErrors,
    };
  }

  /** Leaves a last word on the glass, so a stopped service is not mistaken for a frozen clock. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
    if (this.state === "ok") await this.showText(["stratum1d", "stopped"]).catch(() => undefined);
    await this.bus.close().catch(() => undefined);
  }

  /**
   * Puts fixed lines on the glass, backlight on, finding the display first if
   * need be: the service's last words at a stop, and the service manager's
   * notice (cli/panelNotice.ts) when the service is down. Rejects when no
   * display answers.
   */
  async showText(lines: readonly string[]): Promise<void> {
    if (!this.lcd) await this.attach();
    const { rows } = this.opts.geometry;
    await this.lcd!.setBacklight(true);
    await this.frames!.render(Array.from({ length: rows }, (_, r) => lines[r] ?? ""));
  }

  private counters(): { bytes: number; writes: number } {
    const c = this.lcd?.counters ?? { bytes: 0, writes: 0 };
    return { bytes: this.retired.bytes + c.bytes, writes: this.retired.writes + c.writes };
  }

  private async draw(s: StatusSnapshot): Promise<void> {
    try {
      if (!this.lcd) await this.attach();
      const lcd = this.lcd!;
      const nowUs = this.clock.realtimeUs();
      const screen = renderScreen(s, this.opts.geometry, nowUs, this.opts.pageS, this.opts.pages);
      const initialising = lcd.needsInit;
      // Blinks at 0.5 Hz: on in even seconds, so an alarm's first second is lit.
      const backlight = !screen.alarm || Math.floor(nowUs / 1e6) % 2 === 0;
      if (backlight !== lcd.backlight && !lcd.needsInit) await lcd.setBacklight(backlight);
      else lcd.backlight = backlight;
      await this.frames!.render(screen.lines);
      this.view = screen.view;
      if (initialising) this.inits += 1;
      if (this.state !== "ok") {
        this.log.info(
          `lcd: ${this.state === "absent" ? "display back" : "display found"} at ${hex(lcd.address)} on ${this.bus.name} (${this.opts.geometry.cols}x${this.opts.geometry.rows})${this.state === "absent" ? ", redrawn" : ""}`,
        );
      }
      this.state = "ok";
      this.detail = `drawing at ${hex(lcd.address)}`;
      this.retryMs = FIRST_RETRY_MS;
    } catch (err) {
      const message = (err as Error).message;
      this.busErrors += 1;
      // One line per outage: while it lasts, the retries' own errors (first the lost transfer, then the address probe) are only in the status.
      if (this.state !== "absent") {
        this.log.warn(`lcd: ${message}; the service runs on without the display, retrying every ${FIRST_RETRY_MS / 1000}-${MAX_RETRY_MS / 1000} s`);
      }
      this.state = "absent";
      this.detail = message;
      this.view = null;
      this.retryAtMs = this.clock.monotonicMs() + this.retryMs;
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      // An auto-detected address is looked for again: the display may come back on the other jumper setting.
      if (this.opts.address === "auto") {
        this.retired.bytes += this.lcd?.counters.bytes ?? 0;
        this.retired.writes += this.lcd?.counters.writes ?? 0;
        this.lcd = undefined;
        this.frames = undefined;
      }
    }
  }

  private async attach(): Promise<void> {
    const candidates = this.opts.address === "auto" ? COMMON_ADDRESSES : [this.opts.address];
    let lastErr: Error | undefined;
    let address: number | undefined;
    for (const a of candidates) {
      try {
        // One harmless byte (EN low, backlight on): only a present expander acknowledges it.
        await this.bus.write(a, Buffer.from([portByte(this.opts.pins, 0, false, false, true)]));
        address = a;
        break;
      } catch (err) {
        lastErr = err as Error;
      }
    }
    if (address === undefined) {
      if (lastErr && /does not exist/.test(lastErr.message)) throw lastErr;
      const tried = candidates.map(hex).join(" and ");
      throw new Error(`no display answered at ${tried} on ${this.bus.name} (${lastErr?.message ?? "no answer"}): LCD plugged in? other address: set lcd.address (i2cdetect -y 1 lists them)`);
    }
    this.lcd = new Hd44780(this.bus, address, this.opts.pins, this.opts.geometry, this.opts.delayUs);
    this.frames = new FrameWriter(this.lcd, GLYPH_ROWS);
  }
}
