/*
 * Delivers samples to chrony's SOCK refclock: one datagram per sample, sent
 * to the unix socket chronyd created (`refclock SOCK /run/chrony/x.sock`).
 * chronyd may not be running yet, may restart (it recreates the socket), or
 * may deny us (socket mode): each send simply tries again, so recovery needs
 * no reconnect logic, and the log gets one line per change of state, not one
 * per failed second.
 */
import type { DatagramPort } from "../hal/datagramPort.js";
import type { Logger } from "../log/logger.js";
import { sampleOffsetS, type TimeSample } from "../timing/sample.js";
import type { RefclockSink } from "./sink.js";
import { SinkHealth } from "./sinkHealth.js";
import type { SinkStatus } from "../status/contract.js";
import { packSockSample, toTimeval, type SockLayout } from "./sockSample.js";

const HINTS: Record<string, string> = {
  ENOENT: "chronyd is not running or has no 'refclock SOCK' line for this path",
  ECONNREFUSED: "chronyd is not listening on it (stopped or restarting)",
  EACCES: "permission denied: let the service's group write the socket (see README, chrony drop-in)",
};

export class ChronySockSink implements RefclockSink {
  readonly name: string;
  /** Reused for every datagram: sendto() copies it, and a sample a second needs no fresh allocation. */
  private readonly datagram: Buffer;
  private readonly health: SinkHealth;

  /** layout: struct sock_sample as chronyd on this system lays it out (its time_t width). */
  constructor(
    private readonly path: string,
    private readonly port: DatagramPort,
    private readonly layout: SockLayout,
    private readonly log: Logger,
    private readonly nowUs: () => number,
  ) {
    this.name = `chrony-sock:${path}`;
    this.datagram = Buffer.alloc(this.layout.size);
    this.health = new SinkHealth((reason, before) => {
      if (reason === null) this.log.info(`chrony SOCK ${this.path}: delivering samples${before.state === "not-sent-yet" ? "" : ` again (was ${before.reason})`}`);
      else this.log.warn(`chrony SOCK ${this.path}: cannot deliver (${reason}): ${HINTS[reason] ?? "see the troubleshooting guide"}; will keep trying every sample`);
    });
  }

  deliver(sample: TimeSample): void {
    // chrony reads tv as the moment of the event and adds offset to it; the nanoseconds cut from tv stay in offset.
    const { sec, usec } = toTimeval(sample.local);
    const buf = packSockSample({ sec, usec, offset: sampleOffsetS(sample), pulse: sample.pulse, leap: sample.leap }, this.layout, this.datagram);
    const failure = this.port.sendTo(this.path, buf);
    if (failure === null) this.health.delivered(this.nowUs());
    else this.health.failed(failure);
  }

  status(): SinkStatus {
    return this.health.status();
  }

  close(): void {}
}
