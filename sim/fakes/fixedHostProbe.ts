/* A host whose figures are what the test says: an address to show on the panel, a temperature, an uptime from the clock. */
import type { Clock } from "../../src/hal/clock.js";
import type { HostProbe } from "../../src/hal/hostProbe.js";

export function fixedHostProbe(clock: Clock, figures: { address?: string | null; iface?: string | null; cpuTempC?: number | null } = {}): HostProbe {
  const bootMs = clock.monotonicMs();
  return {
    address: async () => ({ address: figures.address === undefined ? "192.0.2.10" : figures.address, iface: figures.iface === undefined ? "eth0" : figures.iface }),
    cpuTempC: async () => (figures.cpuTempC === undefined ? 45 : figures.cpuTempC),
    uptimeS: () => Math.floor((clock.monotonicMs() - bootMs) / 1000) + 600,
  };
}
