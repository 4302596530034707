/*
 * Where chrony's SOCK sockets would be, in virtual time: every datagram is
 * unpacked with the product's own struct sock_sample layout and kept, per
 * socket path, so a test reads exactly what chronyd would have been given.
 * A path can be made to refuse (chronyd stopped) to see the sink's recovery.
 */
import type { DatagramPort } from "../../src/hal/datagramPort.js";
import { type SockFields, sockLayout, unpackSockSample } from "../../src/refclock/sockSample.js";

export interface SentSample extends SockFields {
  /** Realtime µs when it was sent. */
  sentUs: number;
  magic: number;
}

export class CollectingDatagrams implements DatagramPort {
  readonly sent = new Map<string, SentSample[]>();
  private readonly refusing = new Map<string, string>();
  private readonly layout = sockLayout(8);
  /** Called with each sample as it is delivered (a chrony model listens here). */
  readonly listeners: Array<(path: string, s: SentSample) => void> = [];

  constructor(private readonly nowUs: () => number) {}

  sendTo(path: string, datagram: Buffer): string | null {
    const refusal = this.refusing.get(path);
    if (refusal) return refusal;
    if (datagram.length !== this.layout.size) return `short-write-${datagram.length}`;
    const s: SentSample = { ...unpackSockSample(datagram, this.layout), sentUs: this.nowUs() };
    const list = this.sent.get(path) ?? [];
    list.push(s);
    this.sent.set(path, list);
    for (const l of this.listeners) l(path, s);
    return null;
  }

  /** Sends to `path` fail with this reason (ENOENT: chronyd gone) until accepted again with undefined. */
  refuse(path: string, reason: string | undefined): void {
    if (reason === undefined) this.refusing.delete(path);
    else this.refusing.set(path, reason);
  }

  samples(path: string): SentSample[] {
    return this.sent.get(path) ?? [];
  }

  close(): void {}
}
