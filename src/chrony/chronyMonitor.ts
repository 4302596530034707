/*
 * What chrony makes of the box's time, for the front panel, the status and
 * the alarms: read with chrony's own command protocol (cmdmon/), no chronyc
 * process. Tracking and sources every few seconds over chronyd's UDP command
 * port, which answers monitoring requests only; the server statistics (NTP
 * requests served and dropped) and, once a minute, the client list over the
 * unix control socket when chrony.control allows it. Without it those two
 * are null with the reason, and the rest reads on. A poll still in flight is
 * never doubled; a chronyd that does not answer is reported once.
 */
import type { Clock } from "../hal/clock.js";
import type { Logger } from "../log/logger.js";
import type { ChronyStatus } from "../status/contract.js";
import type { ChronyReader } from "./cmdmon/chronyReader.js";
import { CmdmonError } from "./cmdmon/errors.js";
import { countRecentNtpClients } from "./cmdmon/views.js";

export const POLL_MS = 5000;
const CLIENTS_EVERY_MS = 60_000;
/** A client counts as served if it sent a request within the last hour. */
const CLIENT_WINDOW_S = 3600;

export class ChronyMonitor {
  private current: ChronyStatus = { reachable: false, error: null, updatedAt: null, tracking: null, selected: null, sources: [], ntp: null, ntpUnavailable: null };
  private polling = false;
  private clientsReadMs = -Infinity;
  private lastNtp: { received: number; atMs: number } | undefined;
  private clients: number | null = null;
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly reader: ChronyReader,
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
      const tracking = await this.reader.tracking();
      const sources = await this.reader.sources();
      const { ntp, ntpUnavailable } = await this.ntpFigures();
      if (this.current.error) this.log.info("chrony: reachable again");
      this.current = {
        reachable: true,
        error: null,
        updatedAt: new Date(this.clock.realtimeUs() / 1000).toISOString(),
        tracking,
        selected: sources.find((x) => x.state === "*") ?? null,
        sources,
        ntp,
        ntpUnavailable,
      };
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.current.error) this.log.warn(`chrony: ${message}`);
      // The figures of a chronyd that no longer answers are not shown as if current.
      this.current = { reachable: false, error: message, updatedAt: this.current.updatedAt, tracking: null, selected: null, sources: [], ntp: null, ntpUnavailable: null };
      this.lastNtp = undefined;
      this.clientsReadMs = -Infinity;
    } finally {
      this.polling = false;
    }
  }

  /** NTP requests served and clients, from the control socket; null with the reason where chrony.control does not allow them. */
  private async ntpFigures(): Promise<Pick<ChronyStatus, "ntp" | "ntpUnavailable">> {
    let stats: Awaited<ReturnType<ChronyReader["serverStats"]>>;
    try {
      stats = await this.reader.serverStats();
    } catch (err) {
      // A refusal (no control socket, 501) is a setting, not an outage: the rest of the figures stand.
      if (err instanceof CmdmonError && (err.reason === "noControlSocket" || err.reason === "unauthorised")) return { ntp: null, ntpUnavailable: err.message };
      throw err;
    }
    if (this.clock.monotonicMs() - this.clientsReadMs >= this.clientsEveryMs) {
      this.clients = countRecentNtpClients(await this.reader.clients(), CLIENT_WINDOW_S);
      this.clientsReadMs = this.clock.monotonicMs();
    }
    const nowMs = this.clock.monotonicMs();
    let perSecond: number | null = null;
    if (this.lastNtp && stats.ntpReceived >= this.lastNtp.received && nowMs > this.lastNtp.atMs) perSecond = ((stats.ntpReceived - this.lastNtp.received) * 1000) / (nowMs - this.lastNtp.atMs);
    this.lastNtp = { received: stats.ntpReceived, atMs: nowMs };
    return { ntp: { received: stats.ntpReceived, dropped: stats.ntpDropped, perSecond, clients: this.clients }, ntpUnavailable: null };
  }
}
