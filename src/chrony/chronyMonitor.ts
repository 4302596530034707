/*
 * What chrony makes of the box's time, for the front panel, the status and
 * the alarms: polled from chronyd's command socket with `chronyc -c` (tracking,
 * sources and serverstats every few seconds, the client list once a minute,
 * since on a pool server it can run to thousands of rows). chronyc's -n keeps
 * it from ever waiting on DNS. A poll still in flight is never doubled.
 */
import type { ChronyQuery } from "../hal/chronyChannel.js";
import type { Clock } from "../hal/clock.js";
import type { Logger } from "../log/logger.js";
import { countRecentClients, parseServerStats, parseSources, parseTracking } from "./chronycCsv.js";
import type { ChronyStatus } from "../status/contract.js";

export const POLL_MS = 5000;
const CLIENTS_EVERY_MS = 60_000;
/** A client counts as served if it sent a request within the last hour. */
const CLIENT_WINDOW_S = 3600;

export class ChronyMonitor {
  private current: ChronyStatus = { reachable: false, error: null, updatedAt: null, tracking: null, selected: null, sources: [], ntp: null };
  private polling = false;
  private clientsReadMs = -Infinity;
  private lastNtp: { received: number; atMs: number } | undefined;
  private clients: number | null = null;
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly run: ChronyQuery,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly clientsEveryMs = CLIENTS_EVERY_MS,
  ) {}

  start(): void {
    void this.poll();
    this.stopTimer = this.clock.every(POLL_MS, () => void this.poll());
  }

  stop(): void {
    this.stopTimer?.();
  }

  status(): ChronyStatus {
    return this.current;
  }

  /** One round of queries; resolves when the status is updated. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const [tracking, sources, stats] = await Promise.all([this.run(["tracking"]), this.run(["sources"]), this.run(["serverstats"])]);
      if (this.clock.monotonicMs() - this.clientsReadMs >= this.clientsEveryMs) {
        this.clients = countRecentClients(await this.run(["clients"]), CLIENT_WINDOW_S);
        this.clientsReadMs = this.clock.monotonicMs();
      }
      const t = parseTracking(tracking);
      if (!t) throw new Error(`chronyc tracking: unexpected output ${JSON.stringify(tracking.slice(0, 80))}`);
      const list = parseSources(sources);
      const s = parseServerStats(stats);
      const nowMs = this.clock.monotonicMs();
      let perSecond: number | null = null;
      if (s && this.lastNtp && s.ntpReceived >= this.lastNtp.received && nowMs > this.lastNtp.atMs) perSecond = ((s.ntpReceived - this.lastNtp.received) * 1000) / (nowMs - this.lastNtp.atMs);
      if (s) this.lastNtp = { received: s.ntpReceived, atMs: nowMs };
      if (this.current.error) this.log.info("chrony: reachable again");
      this.current = {
        reachable: true,
        error: null,
        updatedAt: new Date(this.clock.realtimeUs() / 1000).toISOString(),
        tracking: t,
        selected: list.find((x) => x.state === "*") ?? null,
        sources: list,
        ntp: s ? { received: s.ntpReceived, dropped: s.ntpDropped, perSecond, clients: this.clients } : null,
      };
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.current.error) this.log.warn(`chrony: ${message}`);
      // The figures of a chronyd that no longer answers are not shown as if current.
      this.current = { reachable: false, error: message, updatedAt: this.current.updatedAt, tracking: null, selected: null, sources: [], ntp: null };
      this.lastNtp = undefined;
      this.clientsReadMs = -Infinity;
    } finally {
      this.polling = false;
    }
  }
}
