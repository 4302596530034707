/*
 * A simulated receiver plugged into the virtual box: its UART on the box's
 * serial line through the simulated wire (which the service's receiver
 * control drives as its ReceiverLink), its time pulse into the fake kernel
 * PPS device. Each true second the receiver gives its pulse (stamped by the
 * "kernel" on the host's clock, with the receiver's own pulse error) and
 * then its epoch's output, as a real one does.
 */
import type { Instant } from "../../src/hal/instant.js";
import type { FakeKernelPps } from "../fakes/fakeKernelPps.js";
import type { VirtualClock } from "../fakes/virtualClock.js";
import type { VirtualSerial } from "../fakes/virtualSerial.js";
import { SimulatedSerialPort } from "../receivers/serialWire.js";
import type { PulseOutput, SimulatedReceiver } from "../receivers/simulatedReceiver.js";
import { DEFAULT_SKY, type SkyState } from "../receivers/skyState.js";

export interface WiredReceiverOptions {
  /** The rate the box's UART opens at. */
  hostBaud: number;
  sky?: SkyState;
}

export class WiredReceiver {
  readonly port: SimulatedSerialPort;
  /** What the receiver sees; a test changes it as the story goes (fix lost, jamming, an announced leap second). */
  sky: SkyState;
  /** Every pulse given: the true second and its error, for judging what reached chrony. */
  readonly pulses: Array<{ utcSecond: number; pulse: PulseOutput }> = [];
  /** The receiver's TX broken: its pulse goes on, its words do not reach the box. */
  mute = false;
  private cancel: () => void = () => undefined;

  constructor(
    private readonly clock: VirtualClock,
    readonly receiver: SimulatedReceiver,
    private readonly serial: VirtualSerial,
    private readonly kernel: FakeKernelPps | undefined,
    o: WiredReceiverOptions,
  ) {
    this.sky = o.sky ?? { ...DEFAULT_SKY };
    this.port = new SimulatedSerialPort(clock.trueClock(), receiver, (chunk) => serial.feed(chunk), { hostBaud: o.hostBaud });
  }

  /** From the next true whole second on, a pulse and an epoch every second. */
  start(): void {
    const t = this.clock.trueClock();
    const first = 1000 - ((t.realtimeUs() / 1000) % 1000 || 1000);
    let every = (): void => undefined;
    const stopFirst = t.after(first, () => {
      this.tick();
      every = t.every(1000, () => this.tick());
    });
    this.cancel = () => {
      stopFirst();
      every();
    };
  }

  stop(): void {
    this.cancel();
  }

  /** Power off and on: the receiver forgets its RAM settings and prints its boot banner. */
  powerCycle(): void {
    this.port.send(this.receiver.powerCycle());
  }

  /** The cable pulled, and plugged back in: the port disappears from the host and returns. */
  unplug(): void {
    this.port.connected = false;
    this.serial.unplug();
  }

  plugIn(): void {
    this.port.connected = true;
    this.serial.plugIn();
  }

  private tick(): void {
    const s = Math.round(this.clock.nowUs / 1e6);
    const pulse = this.port.connected ? this.receiver.pulse(s, this.sky) : undefined;
    if (pulse && this.kernel) {
      this.pulses.push({ utcSecond: s, pulse });
      if (this.pulses.length > 100_000) this.pulses.splice(0, 10_000);
      this.kernel.assert(this.hostStamp(s, pulse.errorPs));
    }
    if (this.port.connected && !this.mute) this.port.epoch(s, this.sky);
  }

  /** The kernel's stamp of an edge at true second s + errorPs: the host clock's reading then, to the nanosecond. */
  private hostStamp(s: number, errorPs: number): Instant {
    const ns = Math.round(this.clock.hostOffsetUs * 1000 + errorPs / 1000);
    const sec = s + Math.floor(ns / 1e9);
    return { sec, nsec: ns - (sec - s) * 1e9 };
  }
}
