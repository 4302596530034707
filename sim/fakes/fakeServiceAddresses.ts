/*
 * The kernel's address table for the gate in virtual time: interfaces and
 * their addresses with lifetimes that expire as the virtual clock passes
 * them, so a test sees what a router would (an address that is not renewed
 * goes away on its own). An address the "kernel" refuses can be set, to see
 * the gate log it and carry on.
 */
import type { Clock } from "../../src/hal/clock.js";
import type { ServiceAddresses } from "../../src/hal/serviceAddresses.js";

export class FakeServiceAddresses implements ServiceAddresses {
  /** iface -> address -> expiry (clock ms). */
  private readonly table = new Map<string, Map<string, number>>();
  /** Addresses the kernel refuses to add, with its message. */
  readonly refuse = new Map<string, string>();
  /** Every put and remove, in order: "put fleet-own 2001:db8::1", "remove …". */
  readonly calls: string[] = [];

  constructor(private readonly clock: Clock) {}

  async ensureInterface(name: string): Promise<void> {
    if (!this.table.has(name)) this.table.set(name, new Map());
  }

  async list(iface: string): Promise<string[]> {
    return [...this.live(iface).keys()];
  }

  async put(iface: string, address: string, lifetimeS: number): Promise<void> {
    const refusal = this.refuse.get(address);
    if (refusal) throw new Error(refusal);
    this.calls.push(`put ${iface} ${address}`);
    this.live(iface).set(address, this.clock.monotonicMs() + lifetimeS * 1000);
  }

  async remove(iface: string, address: string): Promise<void> {
    this.calls.push(`remove ${iface} ${address}`);
    if (!this.live(iface).delete(address)) throw new Error("RTNETLINK answers: Cannot assign requested address");
  }

  /** What a router would be told now: every address and the interface it is on. */
  announced(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const iface of this.table.keys()) for (const a of this.live(iface).keys()) out[a] = iface;
    return out;
  }

  private live(iface: string): Map<string, number> {
    const t = this.table.get(iface);
    if (!t) throw new Error(`Cannot find device "${iface}"`);
    const now = this.clock.monotonicMs();
    for (const [a, expiry] of t) if (expiry <= now) t.delete(a);
    return t;
  }
}
