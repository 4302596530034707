/*
 * Where a replay goes: the two back ends of the harness deliver the same
 * capture records, one to a simulated appliance (a pty and a fake kernel-PPS
 * directory), the other out of a test rig's pins (a second UART and a GPIO
 * output wired to the appliance's RX and PPS pins).
 */
import type { Instant } from "../../src/hal/instant.js";

export interface ReplayBackend {
  readonly name: string;
  /** The stratum1d flags that make it read what this back end delivers. */
  serviceArgs(): string[];
  /**
   * How the service will stamp the pulses: "exact" when it will see the
   * capture's own stamps (fake kernel PPS), otherwise the tolerance within
   * which its stamp should match the moment the edge was delivered.
   */
  readonly stamps: { exact: true } | { exact: false; toleranceS: number };
  serial(bytes: Buffer): void | Promise<void>;
  /** The transmitter went quiet after a write (a UART line idles high). */
  lineIdle(): void;
  assert(at: Instant, seq: number): void;
  clear(at: Instant, seq: number): void;
  /** The receiver now sends at this baud rate. */
  setTransmitBaud(baud: number): Promise<void>;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  close(): Promise<void>;
}
