/*
 * The host figures the front panel shows (address to SSH to, CPU
 * temperature, uptime), from systeminformation. Address and temperature are
 * read every 30 s: systeminformation runs helper commands for some of them,
 * and neither changes faster. Uptime is the kernel's, read when asked.
 */
import { uptime } from "node:os";
import si from "systeminformation";
import type { Clock } from "../hal/clock.js";

const POLL_MS = 30_000;

export interface HostStatus {
  /** IPv4 address of the default-route interface, else its IPv6 one; null when unplugged. */
  address: string | null;
  iface: string | null;
  cpuTempC: number | null;
  uptimeS: number;
}

export interface HostProbe {
  address(): Promise<{ address: string | null; iface: string | null }>;
  cpuTempC(): Promise<number | null>;
}

export const systemInformationProbe: HostProbe = {
  async address() {
    const ifaces = await si.networkInterfaces("default");
    const d = Array.isArray(ifaces) ? ifaces[0] : ifaces;
    if (!d || d.operstate === "down") return { address: null, iface: d?.iface ?? null };
    return { address: d.ip4 || d.ip6 || null, iface: d.iface };
  },
  async cpuTempC() {
    const t = await si.cpuTemperature();
    return typeof t.main === "number" && Number.isFinite(t.main) ? t.main : null;
  },
};

export class HostMonitor {
  private figures: Omit<HostStatus, "uptimeS"> = { address: null, iface: null, cpuTempC: null };
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly probe: HostProbe = systemInformationProbe,
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
    return { ...this.figures, uptimeS: Math.floor(uptime()) };
  }
}
