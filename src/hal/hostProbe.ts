/** The host's own figures the front panel shows: where to SSH to and how warm the board is. Never blocking. */
export interface HostProbe {
  address(): Promise<{ address: string | null; iface: string | null }>;
  cpuTempC(): Promise<number | null>;
  /** Seconds since the host booted. */
  uptimeS(): number;
}
