/*
 * The kernel's side of the fleet gate: service addresses put on and taken
 * off the interfaces FRR redistributes. Dumb on purpose: the gate decides
 * which address goes where; this only does it, and says what is there. The
 * Linux adapter drives `ip` (hal/linux/ipServiceAddresses.ts); tests of the
 * gate use a fake that records the calls.
 */
export interface ServiceAddresses {
  /** Makes sure the interface exists and is up, creating it as a dummy interface if it is missing. */
  ensureInterface(name: string): Promise<void>;
  /** The global addresses on the interface (no prefix length), as the kernel prints them. */
  list(iface: string): Promise<string[]>;
  /** Adds the address as a single host (/128 or /32), or renews its lifetime if it is there: it expires unless put again. */
  put(iface: string, address: string, lifetimeS: number): Promise<void>;
  /** Takes the address off; the interface stays up (the kernel would drop IPv6 addresses with it). */
  remove(iface: string, address: string): Promise<void>;
}
