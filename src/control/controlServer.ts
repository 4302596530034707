/*
 * control.socket: the running service answering stratum1ctl's requests that
 * need the serial port the service owns (read the receiver's settings back,
 * save them to its flash). One request per connection, answered in turn:
 * two requests to the receiver at once would mix their replies on the one
 * wire. Anything else that arrives (not JSON, an unknown request, too long,
 * nothing at all) is answered with an error, counted and logged, and the
 * service carries on.
 *
 * Mode 0600: `--save` rewrites the receiver's flash, so only the service's
 * own user and root (stratum1ctl under sudo) may ask.
 */
import type { Socket } from "node:net";
import type { Clock } from "../hal/clock.js";
import type { Logger } from "../log/logger.js";
import type { ControlSocketStatus } from "../status/contract.js";
import { UnixSocketServer } from "./unixSocketServer.js";
import { type ControlReply, type ControlRequestName, MAX_REPLY_BYTES, MAX_REQUEST_BYTES, parseRequest } from "./controlProtocol.js";

/** How long a client may take to send its one line before it is answered with an error. */
const REQUEST_WAIT_MS = 5000;
/** stratum1ctl opens one connection; more than a few at once is a runaway script, turned away at the door. */
const MAX_CONNECTIONS = 8;

/** Each request's answer; a handler that throws is answered with its message. */
export type ControlHandlers = { [K in ControlRequestName]: () => Promise<ControlReply> };

export class ControlServer {
  private readonly socket: UnixSocketServer;
  private readonly clients = new Set<Socket>();
  /** Requests run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private readonly counts: ControlSocketStatus = { served: 0, refused: 0, lastRefusal: null };

  constructor(
    readonly path: string,
    private readonly handlers: ControlHandlers,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.socket = new UnixSocketServer(path, 0o600, (message) => log.warn(`control: socket ${path}: ${message}; 'stratum1ctl gps config' will not work until restart`));
  }

  async start(): Promise<void> {
    // Half-open: a client may send its request and close its side, and still read the answer.
    await this.socket.listen(
      (socket) => this.accept(socket),
      { allowHalfOpen: true },
      (server) => {
        server.maxConnections = MAX_CONNECTIONS;
        server.on("drop", () => this.counted(`more than ${MAX_CONNECTIONS} connections at once`));
      },
    );
  }

  status(): ControlSocketStatus {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    await this.socket.close();
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    let text = "";
    let answered = false;
    const cancelWait = this.clock.after(REQUEST_WAIT_MS, () => answer(undefined, `no request within ${REQUEST_WAIT_MS / 1000} s`));
    const answer = (request: string | undefined, error?: string): void => {
      if (answered) return;
      answered = true;
      cancelWait();
      if (error !== undefined) {
        this.refuse(socket, error);
        return;
      }
      const parsed = parseRequest(request ?? "");
      if (!parsed.ok) {
        this.refuse(socket, parsed.error);
        return;
      }
      this.queue = this.queue.then(() => this.serve(socket, parsed.value));
    };
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.clients.delete(socket);
      cancelWait();
    });
    socket.on("data", (d: Buffer) => {
      if (answered) return;
      text += d.toString("utf8");
      const nl = text.indexOf("\n");
      if (nl >= 0 && nl <= MAX_REQUEST_BYTES) answer(text.slice(0, nl));
      else if (text.length > MAX_REQUEST_BYTES) answer(undefined, `request longer than ${MAX_REQUEST_BYTES} bytes`);
    });
    // A client that sends its request without a newline and half-closes is answered all the same.
    socket.on("end", () => answer(text));
  }

  private async serve(socket: Socket, name: ControlRequestName): Promise<void> {
    // Gone while waiting its turn (stratum1ctl interrupted): nothing is done on its behalf, a save least of all.
    if (socket.destroyed) return;
    let reply: ControlReply;
    try {
      reply = await this.handlers[name]();
    } catch (err) {
      reply = { ok: false, error: `${name} failed: ${(err as Error).message}` };
      this.log.warn(`control: ${reply.error}`);
    }
    let text = `${JSON.stringify(reply)}\n`;
    if (Buffer.byteLength(text) > MAX_REPLY_BYTES) text = `${JSON.stringify({ ok: false, error: `${name}: the reply came to more than ${MAX_REPLY_BYTES} bytes` })}\n`;
    this.counts.served += 1;
    this.log.info(`control: ${name} answered${reply.ok ? "" : `: ${reply.error}`}`);
    socket.end(text);
  }

  private refuse(socket: Socket, error: string): void {
    this.counted(error);
    socket.end(`${JSON.stringify({ ok: false, error } satisfies ControlReply)}\n`);
  }

  private counted(error: string): void {
    this.counts.refused += 1;
    this.counts.lastRefusal = error;
    this.log.warn(`control: refused a request on ${this.path}: ${error}`);
  }
}
