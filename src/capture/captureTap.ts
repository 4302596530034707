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
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "../log/logger.js";
import { instantFromUs, type Instant } from "../hal/instant.js";
import { formatHeader, formatRecord, type CaptureEventName, type CaptureHeader, type CaptureRecord } from "./captureFormat.js";

const MAX_BUFFERED = 1 << 20;

export class CaptureTap {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();

  constructor(
    readonly path: string,
    private readonly log: Logger,
    private readonly header: () => CaptureHeader,
  ) {}

  /** Whether anyone is recording (sources may skip work that only a recording needs). */
  get recording(): boolean {
    return this.clients.size > 0;
  }

  async start(): Promise<void> {
    // A socket left by a previous run (killed, not stopped) would make listen fail.
    rmSync(this.path, { force: true });
    const server = createServer((socket) => this.accept(socket));
    server.on("error", (err) => this.log.warn(`capture: socket ${this.path}: ${err.message}; 'stratum1ctl capture' will not work until restart`));
    await new Promise<void>((resolve) => {
      server.listen(this.path, () => resolve());
      server.once("error", () => resolve());
    });
    if (!server.listening) return;
    // Root and the service's group (operators added to it) may record; nobody else.
    chmodSync(this.path, 0o660);
    this.server = server;
  }

  serial(chunk: Buffer, rxUs: number): void {
    if (this.clients.size > 0) this.send({ kind: "serial", at: instantFromUs(rxUs), bytes: chunk });
  }

  edge(kind: "assert" | "clear", at: Instant, seq: number): void {
    if (this.clients.size > 0) this.send({ kind, at, seq });
  }

  event(event: CaptureEventName, atUs: number, args = ""): void {
    if (this.clients.size > 0) this.send({ kind: "event", at: instantFromUs(atUs), event, args });
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private accept(socket: Socket): void {
    socket.on("error", () => undefined);
    socket.on("close", () => this.clients.delete(socket));
    socket.write(formatHeader(this.header()).join("\n") + "\n");
    this.clients.add(socket);
    this.log.info(`capture: a recorder connected (${this.clients.size} now)`);
  }

  private send(record: CaptureRecord): void {
    const line = formatRecord(record) + "\n";
    for (const c of this.clients) {
      if (c.writableLength > MAX_BUFFERED) {
        c.end(`# dropped: the recorder fell more than ${MAX_BUFFERED} bytes behind\n`);
        this.clients.delete(c);
        this.log.warn("capture: a recorder fell too far behind and was dropped");
        continue;
      }
      c.write(line, "latin1");
    }
  }
}
