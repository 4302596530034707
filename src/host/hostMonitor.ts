/*
 * The host figures the front panel shows (address to SSH to, CPU
 * temperature, uptime). Address and temperature are read every 30 s: neither
 * changes faster. Uptime is the host's, read when asked. The probe must
 * never block the event loop (see procHostProbe.ts).
 */
import type { Clock } from "../hal/clock.js";
import type { HostProbe } from "../hal/hostProbe.js";
import type { HostStatus } from "../status/contract.js";

const POLL_MS = 30_000;

export class HostMonitor {
  private figures: Omit<HostStatus, "uptimeS"> = { address: null, iface: null, cpuTempC: null };
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
    // A failing probe leaves that figure unknown; it is not worth an error on the panel.
    const [a, t] = await Promise.allSettled([this.probe.address(), this.probe.cpuTempC()]);
    this.figures = {
      ...(a.status === "fulfilled" ? a.value : { address: null, iface: null }),
      cpuTempC: t.status === "fulfilled" ? t.value : null,
    };
  }

  status(): HostStatus {
    return { ...this.figures, uptimeS: this.probe.uptimeS() };
  }
}
