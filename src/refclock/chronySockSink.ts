/*
 * Delivers samples to chrony's SOCK refclock: one datagram per sample, sent
 * to the unix socket chronyd created (`refclock SOCK /run/chrony/x.sock`).
 * chronyd may not be running yet, may restart (it recreates the socket), or
 * may deny us (socket mode): each send simply tries again, so recovery needs
 * no reconnect logic, and the log gets one line per change of state, not one
 * per failed second.
 */
import { errnoName, native } from "../hal/native.js";
import type { Logger } from "../log/logger.js";
import { sampleOffsetS, type TimeSample } from "../timing/sample.js";
import type { RefclockSink, SinkStatus } from "./sink.js";
import { packSockSample, sockLayout, toTimeval, type SockLayout } from "./sockSample.js";

const HINTS: Record<string, string> = {
  ENOENT: "chronyd is not running or has no 'refclock SOCK' line for this path",
  ECONNREFUSED: "chronyd is not listening on it (stopped or restarting)",
  EACCES: "permission denied: let the service's group write the socket (see README, chrony drop-in)",
};

export class ChronySockSink implements RefclockSink {
  readonly name: string;
  private readonly fd: number;
  private readonly layout: SockLayout;
  /** Reused for every datagram: sendto() copies it, and a sample a second needs no fresh allocation. */
  private readonly datagram: Buffer;
  private st: SinkStatus = { state: "not-sent-yet", delivered: 0, failed: 0 };

  constructor(private readonly path: string, private readonly log: Logger, private readonly nowUs: () => number) {
    this.name = `chrony-sock:${path}`;
    const calls = native();
    this.layout = sockLayout(calls.layouts().timeT === 4 ? 4 : 8);
    this.datagram = Buffer.alloc(this.layout.size);
    const fd = calls.dgramOpen();
    if (fd < 0) throw new Error(`cannot create a unix datagram socket: ${errnoName(fd)}`);
    this.fd = fd;
  }

  deliver(sample: TimeSample): void {
    // chrony reads tv as the moment of the event and adds offset to it; the nanoseconds cut from tv stay in offset.
    const { sec, usec } = toTimeval(sample.local);
    const buf = packSockSample({ sec, usec, offset: sampleOffsetS(sample), pulse: sample.pulse, leap: sample.leap }, this.layout, this.datagram);
    const n = native().dgramSendTo(this.fd, this.path, buf);
    if (n === buf.length) {
      this.st.delivered += 1;
      this.st.lastDeliveredUs = this.nowUs();
      this.setState("ok");
    } else {
      this.st.failed += 1;
      this.setState(n < 0 ? errnoName(n) : `short-write-${n}`);
    }
  }

  status(): SinkStatus {
    return { ...this.st };
  }

  close(): void {
    native().fdClose(this.fd);
  }

  private setState(state: string): void {
    if (state === this.st.state) return;
    const before = this.st.state;
    this.st.state = state;
    if (state === "ok") this.log.info(`chrony SOCK ${this.path}: delivering samples${before === "not-sent-yet" ? "" : ` again (was ${before})`}`);
    else this.log.warn(`chrony SOCK ${this.path}: cannot deliver (${state}): ${HINTS[state] ?? "see README troubleshooting"}; will keep trying every sample`);
  }
}
