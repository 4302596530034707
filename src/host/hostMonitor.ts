/*
 * The host figures the front panel shows (address to SSH to, CPU
 * temperature, uptime). All three are read every 30 s: address and
 * temperature change no faster, and uptime is carried forward by the
 * monotonic clock in between (reading it is a file read, and the status tick
 * asks every second: 10 % of the tick's CPU in the bench's profile). The
 * probe must never block the event loop (see procHostProbe.ts).
 */
import type { Clock } from "../hal/clock.js";
import type { HostProbe } from "../hal/hostProbe.js";
import type { HostStatus } from "../status/contract.js";

const POLL_MS = 30_000;

export class HostMonitor {
  private figures: Omit<HostStatus, "uptimeS"> = { address: null, iface: null, cpuTempC: null };
  /** The host's uptime when last read, and the monotonic clock then. */
  private uptime: { s: number; atMs: number } | undefined;
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly probe: HostProbe,
  ) {}

  start(): void {
    void this.poll();
    this.stopTimer = this.clock.every(POLL_MS, () => void this.poll());
  }

  stop(): void {
    this.stopTimer?.();
  }

  async poll(): Promise<void> {
    this.uptime = { s: this.probe.uptimeS(), atMs: this.clock.monotonicMs() };
    // A failing probe leaves that figure unknown; it is not worth an error on the panel.
    const [a, t] = await Promise.allSettled([this.probe.address(), this.probe.cpuTempC()]);
    this.figures = {
      ...(a.status === "fulfilled" ? a.value : { address: null, iface: null }),
      cpuTempC: t.status === "fulfilled" ? t.value : null,
    };
  }

  status(): HostStatus {
    const u = this.uptime ?? { s: this.probe.uptimeS(), atMs: this.clock.monotonicMs() };
    return { ...this.figures, uptimeS: Math.floor(u.s + (this.clock.monotonicMs() - u.atMs) / 1000) };
  }
}
