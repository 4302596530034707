/*
 * The service's own stream, offered to a recorder: a unix socket where each
 * connected client receives a capture (format v1, see captureFormat.ts) of
 * what the service reads from now on, serial chunks with the stamps the
 * native reader took, kernel PPS edges with the kernel's stamps, and the
 * device going and coming back. The recorder never opens the serial port or
 * the PPS device itself, so recording changes nothing for the running box.
 *
 * Nothing is formatted while no one listens. A client that cannot keep up
 * (more than MAX_BUFFERED bytes queued) is dropped with an error line rather
 * than let the service's memory grow.
 *
 * The format wants records in time order, and they do not arrive so: serial
 * chunks are stamped as they are read, but the service learns of a kernel
 * PPS edge only at its next sysfs poll (100 ms later, more on a loaded
 * machine), after chunks stamped later than the edge. Records are held for
 * HOLD_US and go out sorted; one that arrives later still than that (the
 * service stalled longer) is noted in a comment line, never written out of
 * order.
 */
import type { Socket } from "node:net";
import type { Logger } from "../log/logger.js";
import type { Clock } from "../hal/clock.js";
import { instantFromUs, instantToUs, type Instant } from "../hal/instant.js";
import { UnixSocketServer } from "../control/unixSocketServer.js";
import { formatHeader, formatRecord, type CaptureEventName, type CaptureHeader, type CaptureRecord } from "./captureFormat.js";

const MAX_BUFFERED = 1 << 20;
/** How long records wait for a late one stamped before them. */
const HOLD_US = 2_000_000;
const FLUSH_MS = 500;

export class CaptureTap {
  private readonly socket: UnixSocketServer;
  private readonly clients = new Set<Socket>();
  /** Records held for reordering, sorted by time. */
  private held: CaptureRecord[] = [];
  private lastSentUs = -Infinity;
  private stopFlush: (() => void) | undefined;

  constructor(
    readonly path: string,
    private readonly log: Logger,
    private readonly header: () => CaptureHeader,
    private readonly clock: Clock,
  ) {
    // Root and the service's group (operators added to it) may record; nobody else.
    this.socket = new UnixSocketServer(path, 0o660, (message) => log.warn(`capture: socket ${path}: ${message}; 'stratum1ctl capture' will not work until restart`));
  }

  /** Whether anyone is recording (sources may skip work that only a recording needs). */
  get recording(): boolean {
    return this.clients.size > 0;
  }

  async start(): Promise<void> {
    await this.socket.listen((socket) => this.accept(socket));
  }

  serial(chunk: Buffer, rxUs: number): void {
    // A copy: the chunk is a view of the native reader's buffer, which the next read overwrites while the record is held.
    if (this.clients.size > 0) this.send({ kind: "serial", at: instantFromUs(rxUs), bytes: Buffer.from(chunk) });
  }

  edge(kind: "assert" | "clear", at: Instant, seq: number): void {
    if (this.clients.size > 0) this.send({ kind, at, seq });
  }

  event(event: CaptureEventName, atUs: number, args = ""): void {
    if (this.clients.size > 0) this.send({ kind: "event", at: instantFromUs(atUs), event, args });
  }

  async close(): Promise<void> {
    this.stopFlush?.();
    this.flush(Infinity);
    // end(), not destroy(): what was just flushed still reaches the recorder.
    for (const c of this.clients) c.end();
    this.clients.clear();
    await this.socket.close();
  }

  private accept(socket: Socket): void {
    socket.on("error", () => undefined);
    socket.on("close", () => this.left(socket));
    socket.write(formatHeader(this.header()).join("\n") + "\n");
    this.clients.add(socket);
    // The flush timer runs only while someone records: the service does not wake for a tap nobody reads.
    this.stopFlush ??= this.clock.every(FLUSH_MS, () => this.flush(this.clock.realtimeUs() - HOLD_US));
    this.log.info(`capture: a recorder connected (${this.clients.size} now)`);
  }

  private left(socket: Socket): void {
    this.clients.delete(socket);
    if (this.clients.size > 0) return;
    this.stopFlush?.();
    this.stopFlush = undefined;
    // Nothing held is for anyone now; the next recorder starts from what comes next.
    this.held = [];
  }

  private send(record: CaptureRecord): void {
    const us = instantToUs(record.at);
    if (us < this.lastSentUs) {
      // Later than the hold allows: written out of order it would break the file, so it is only noted.
      this.write(`# late: a ${record.kind} record stamped ${instantToUs(record.at) / 1e6} s reached the tap after later records were written\n`);
      return;
    }
    let i = this.held.length;
    while (i > 0 && instantToUs(this.held[i - 1]!.at) > us) i--;
    this.held.splice(i, 0, record);
  }

  /** Writes out the held records stamped up to `untilUs`, in time order. */
  private flush(untilUs: number): void {
    let n = 0;
    while (n < this.held.length && instantToUs(this.held[n]!.at) <= untilUs) n++;
    if (n === 0) return;
    const out = this.held.splice(0, n);
    this.lastSentUs = instantToUs(out[out.length - 1]!.at);
    if (this.clients.size > 0) this.write(out.map((r) => formatRecord(r) + "\n").join(""));
  }

  private write(text: string): void {
    for (const c of this.clients) {
      if (c.writableLength > MAX_BUFFERED) {
        c.end(`# dropped: the recorder fell more than ${MAX_BUFFERED} bytes behind\n`);
        this.clients.delete(c);
        this.log.warn("capture: a recorder fell too far behind and was dropped");
        continue;
      }
      c.write(text, "latin1");
    }
  }
}
