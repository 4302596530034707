/*
 * The ntpd/ntpsec SHM refclock (driver 28; chrony's `refclock SHM`):
 * a SysV segment with key 0x4e545030 + unit holding struct shmTime, written
 * with the mode-1 protocol (count bumped before and after, valid set last) so
 * a reader can detect a torn sample. Mode 0600: units 0 and 1 are root-only
 * by convention, and a world-writable segment would let any local user feed
 * the time server.
 */
import type { ShmSegment, ShmSegments } from "../hal/shmSegments.js";
import type { Logger } from "../log/logger.js";
import type { TimeSample } from "../timing/sample.js";
import type { RefclockSink } from "./sink.js";
import { SinkHealth } from "./sinkHealth.js";
import type { SinkStatus } from "../status/contract.js";

export const SHM_KEY_BASE = 0x4e545030;
/** log2 of the sample precision: NMEA timing is good to a few ms at best (2^-10 s ≈ 1 ms); a kernel PPS edge to about a µs (2^-20 s). */
export const NMEA_PRECISION = -10;
export const PPS_PRECISION = -20;

export class ShmSink implements RefclockSink {
  readonly name: string;
  private segment: ShmSegment | undefined;
  private readonly health: SinkHealth;

  constructor(
    readonly unit: number,
    private readonly shm: ShmSegments,
    private readonly log: Logger,
    private readonly nowUs: () => number,
    private readonly precision = NMEA_PRECISION,
  ) {
    this.name = `shm:${unit}`;
    this.health = new SinkHealth((reason) => {
      const seg = `SHM unit ${this.unit} (key 0x${this.key.toString(16)})`;
      if (reason === null) this.log.info(`${seg}: writing samples`);
      else this.log.warn(`${seg}: cannot write (${reason}); a segment created by another user with other permissions must be removed with ipcrm`);
    });
  }

  get key(): number {
    return SHM_KEY_BASE + this.unit;
  }

  deliver(sample: TimeSample): void {
    if (!this.segment) {
      const attached = this.shm.attach(this.key);
      if (typeof attached === "string") {
        this.health.failed(attached);
        return;
      }
      this.segment = attached;
    }
    const { reference: r, local: l } = sample;
    const failure = this.segment.write({ clockSec: r.sec, clockNsec: r.nsec, receiveSec: l.sec, receiveNsec: l.nsec, leap: sample.leap, precision: this.precision });
    if (failure !== null) {
      // The segment was removed (ipcrm) under us: attach afresh next time.
      this.segment = undefined;
      this.health.failed(failure);
      return;
    }
    this.health.delivered(this.nowUs());
  }

  status(): SinkStatus {
    return this.health.status();
  }

  close(): void {}
}
