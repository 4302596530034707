/*
 * http://ADDRESS:PORT/metrics for Prometheus (metrics.listen): the latest
 * status snapshot rendered at each scrape, nothing computed in between.
 *
 * It is configuration-driven like the status file and the capture socket,
 * not a part of `hardware`: a TCP listener is the same on the box, in the
 * simulator and in tests, so there is no fake to pass in.
 *
 * Nothing a client does can stop the service or fill its log: a scrape from
 * outside metrics.allow gets 403, an unknown path 404, another method 405,
 * each logged once per address or path (a bounded set) with what to change.
 * An address that cannot be bound (the management interface not up yet,
 * the port taken) is logged once with the fix and tried again every
 * RETRY_MS, so the metrics come up with the network.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Clock } from "../hal/clock.js";
import type { Logger } from "../log/logger.js";
import type { StatusSnapshot } from "../status/contract.js";
import { parseListenAddress } from "../config/schema.js";
import type { Exposition } from "./exposition.js";
import { scraperCheck, type ScraperCheck } from "./scrapers.js";

export const METRICS_PATH = "/metrics";
const RETRY_MS = 30_000;
/** Distinct refused addresses and unknown paths logged; later ones are only answered. */
const MAX_LOGGED = 16;
/** A scraper holds one connection; a few more cover a second Prometheus and a person with curl. */
const MAX_CONNECTIONS = 8;
const REQUEST_TIMEOUT_MS = 10_000;

export interface MetricsEndpointOptions {
  /** metrics.listen: ADDRESS:PORT (validated by the schema). */
  listen: string;
  /** metrics.allow. */
  allow: string | null;
}

export class MetricsEndpoint {
  private server: Server | undefined;
  private readonly scrapers: ScraperCheck;
  private readonly logged = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private cancelRetry: (() => void) | undefined;
  private lastBindError: string | undefined;
  private closed = false;
  /** Scrapes answered: for tests and the log. */
  scrapes = 0;

  constructor(
    private readonly opts: MetricsEndpointOptions,
    private readonly exposition: Exposition,
    private readonly snapshot: () => StatusSnapshot | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.scrapers = scraperCheck(opts.allow);
  }

  /** The bound port (useful with port 0 in tests); undefined while not listening. */
  get port(): number | undefined {
    const a = this.server?.address();
    return typeof a === "object" && a ? a.port : undefined;
  }

  /** Resolves once the first attempt to listen has succeeded or failed (it is retried after a failure). */
  start(): Promise<void> {
    return this.listen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelRetry?.();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(): Promise<void> {
    const where = parseListenAddress(this.opts.listen);
    if (!where) {
      this.log.error(`metrics: metrics.listen '${this.opts.listen}' is not ADDRESS:PORT; metrics are off`);
      return Promise.resolve();
    }
    const server = createServer((req, res) => this.handle(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.headersTimeout = REQUEST_TIMEOUT_MS;
    server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
    // A client's broken request is answered 400 by node itself; nothing to log.
    server.on("clientError", (_err, socket: Socket) => socket.destroy());
    return new Promise<void>((resolve) => {
      const failed = (err: NodeJS.ErrnoException): void => {
        server.close();
        this.bindFailed(err);
        resolve();
      };
      server.once("error", failed);
      server.listen({ host: where.host, port: where.port, exclusive: true }, () => {
        server.off("error", failed);
        server.on("error", (err) => this.log.warn(`metrics: ${err.message}`));
        if (this.closed) {
          server.close();
          return resolve();
        }
        this.server = server;
        const again = this.lastBindError !== undefined ? " (the address is up now)" : "";
        this.lastBindError = undefined;
        this.log.info(`metrics: serving http://${this.opts.listen}${METRICS_PATH} to ${this.scrapers.description}${again}`);
        resolve();
      });
    });
  }

  private bindFailed(err: NodeJS.ErrnoException): void {
    if (this.closed) return;
    const code = err.code ?? err.message;
    if (code !== this.lastBindError) this.log.warn(`metrics: cannot listen on ${this.opts.listen}: ${bindAdvice(code, this.opts.listen)}; trying again every ${RETRY_MS / 1000} s`);
    this.lastBindError = code;
    this.cancelRetry = this.clock.after(RETRY_MS, () => void this.listen());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const from = req.socket.remoteAddress;
    const path = (req.url ?? "/").split("?")[0]!;
    if (!this.scrapers.allowed(from)) {
      this.once(`addr ${from}`, `metrics: refused ${from}: not in metrics.allow (${this.scrapers.description}); add its network to metrics.allow to let it scrape`);
      reply(res, 403, `stratum1d: ${from} may not read the metrics; the box's metrics.allow decides who may\n`);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      reply(res, 405, "stratum1d: only GET and HEAD\n");
      return;
    }
    if (path === "/") {
      reply(res, 200, `stratum1d: the metrics are at ${METRICS_PATH}\n`);
      return;
    }
    if (path !== METRICS_PATH) {
      this.once(`path ${path}`, `metrics: ${from} asked for ${JSON.stringify(path.slice(0, 64))}, answered 404: the scrape's metrics_path must be ${METRICS_PATH}`);
      reply(res, 404, `stratum1d: no such page; the metrics are at ${METRICS_PATH}\n`);
      return;
    }
    this.exposition.render(this.snapshot()).then(
      (text) => {
        this.scrapes += 1;
        res.writeHead(200, { "Content-Type": this.exposition.contentType, "Content-Length": Buffer.byteLength(text) });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: Error) => {
        this.once(`render ${err.message}`, `metrics: cannot render the metrics: ${err.message} (a bug: please report it with the status snapshot)`);
        reply(res, 500, "stratum1d: the metrics could not be rendered; see the service's log\n");
      },
    );
  }

  private once(key: string, line: string): void {
    if (this.logged.has(key) || this.logged.size >= MAX_LOGGED) return;
    this.logged.add(key);
    this.log.warn(line);
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function bindAdvice(code: string, listen: string): string {
  switch (code) {
    case "EADDRNOTAVAIL":
      return `no interface of this box has that address (yet): set metrics.listen to one of its addresses (ip -brief address), or wait for the network`;
    case "EADDRINUSE":
      return `another program listens on that port (ss -ltnp): choose another port in metrics.listen`;
    case "EACCES":
      return `the service may not bind ports below 1024: choose a port above 1024 in metrics.listen`;
    default:
      return `${code}: check metrics.listen (${listen})`;
  }
}
