/*
 * A simulated receiver on a simulated wire, with the product's receiver
 * control attached exactly as the service will attach it: the host side's
 * bytes go through the product's Framer and decoders, and every frame and
 * every dropped run reaches ReceiverControl through ReceiverTraffic. Time
 * is a steppable clock: run(ms) advances it in small steps and lets the
 * control's promises settle between steps, so minutes of receiver life take
 * milliseconds, deterministically.
 */
import type { Clock } from "../../src/hal/clock.js";
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import { decodeNmea } from "../../src/gnss/nmea/decodeNmea.js";
import type { Decoded } from "../../src/gnss/report.js";
import { decodeUbx } from "../../src/gnss/ubx/decodeUbx.js";
import { frameName } from "../../src/gnss/control/frameName.js";
import { ReceiverControl, type ControlEvent, type ControlTiming } from "../../src/gnss/control/receiverControl.js";
import type { ReceiverSettings } from "../../src/gnss/control/settings.js";
import { SimulatedSerialPort } from "./serialWire.js";
import type { SimulatedReceiver } from "./simulatedReceiver.js";
import { DEFAULT_SKY, type SkyState } from "./skyState.js";

/** A Clock whose time the caller moves (test/support's VirtualClock is one). */
export interface SteppableClock extends Clock {
  advanceTo(us: number): void;
}

export interface BenchOptions {
  hostBaud: number;
  configuredBaud?: number | "auto";
  settings?: ReceiverSettings;
  timing?: Partial<ControlTiming>;
  sky?: SkyState;
}

export interface HeardFrame {
  name: string;
  decoded: Decoded;
  atUs: number;
}

const decode = (f: Frame): Decoded => (f.kind === "nmea" ? decodeNmea(f.text) : decodeUbx(f.msgClass, f.msgId, f.payload));

/** Lets every promise that can settle now settle (setImmediate runs after the microtask queue drains). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ReceiverBench {
  readonly port: SimulatedSerialPort;
  readonly control: ReceiverControl;
  readonly events: ControlEvent[] = [];
  /** Every frame the host decoded, newest last (bounded). */
  readonly heard: HeardFrame[] = [];
  sky: SkyState;
  private readonly framer: Framer;
  private stopEpochs: () => void = () => undefined;

  constructor(
    readonly clock: SteppableClock,
    readonly receiver: SimulatedReceiver,
    o: BenchOptions,
  ) {
    this.sky = o.sky ?? { ...DEFAULT_SKY };
    this.framer = new Framer({
      frame: (f) => {
        const d = decode(f);
        this.heard.push({ name: frameName(f), decoded: d, atUs: f.rxUs });
        if (this.heard.length > 5000) this.heard.splice(0, 1000);
        this.control.frame(f, d);
      },
      reject: (reason, bytes) => this.control.dropped(reason, bytes),
    });
    this.port = new SimulatedSerialPort(clock, receiver, (chunk, rxUs) => this.framer.push(chunk, rxUs), { hostBaud: o.hostBaud });
    this.control = new ReceiverControl({
      link: this.port,
      clock,
      configuredBaud: o.configuredBaud ?? o.hostBaud,
      ...(o.settings ? { settings: o.settings } : {}),
      ...(o.timing ? { timing: o.timing } : {}),
      onEvent: (e) => this.events.push(e),
    });
  }

  /** The true UTC second now. */
  utcSecond(): number {
    return Math.floor(this.clock.realtimeUs() / 1e6);
  }

  /** Starts the receiver's epochs: one at every whole second of the clock. */
  startEpochs(): void {
    this.stopEpochs();
    const first = 1000 - ((this.clock.realtimeUs() / 1000) % 1000);
    let cancel = this.clock.after(first, () => {
      this.port.epoch(this.utcSecond(), this.sky);
      cancel = this.clock.every(1000, () => this.port.epoch(this.utcSecond(), this.sky));
    });
    this.stopEpochs = () => cancel();
  }

  /** Moves time forward by ms in steps of stepMs, letting the control's promises run between steps. */
  async run(ms: number, stepMs = 5): Promise<void> {
    const end = this.clock.realtimeUs() + ms * 1000;
    while (this.clock.realtimeUs() < end) {
      this.clock.advanceTo(Math.min(end, this.clock.realtimeUs() + stepMs * 1000));
      await settle();
    }
    await settle();
  }

  /** Runs until the predicate holds or ms pass; returns whether it held. */
  async runUntil(predicate: () => boolean, ms: number, stepMs = 5): Promise<boolean> {
    const end = this.clock.realtimeUs() + ms * 1000;
    while (!predicate() && this.clock.realtimeUs() < end) await this.run(Math.min(100, (end - this.clock.realtimeUs()) / 1000), stepMs);
    return predicate();
  }

  eventsOf<K extends ControlEvent["kind"]>(kind: K): Extract<ControlEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<ControlEvent, { kind: K }> => e.kind === kind);
  }

  /** Names of the frames heard in the last ms of clock time. */
  heardNames(ms: number): string[] {
    const from = this.clock.realtimeUs() - ms * 1000;
    return this.heard.filter((h) => h.atUs >= from).map((h) => h.name);
  }
}
