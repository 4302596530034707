/*
 * The fleet's addresses as stratum1.conf gives them: service addresses
 * (single hosts, so a /128 or /32 in the kernel and in BGP) and BGP peers
 * ("ADDRESS as ASN"). Addresses are kept in the kernel's canonical text
 * (`ip` prints them so), so the gate compares what it wants with what the
 * kernel lists by plain string equality.
 */
import { isIPv4, isIPv6 } from "node:net";

export const IPV4_ADDRESS = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export type Family = "ipv4" | "ipv6";

export interface BgpPeer {
  address: string;
  asn: number;
  family: Family;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; fix: string };

export const familyOf = (address: string): Family => (address.includes(":") ? "ipv6" : "ipv4");

/** The address with its host prefix length, as `ip addr` takes and lists it. */
export const hostPrefix = (address: string): string => `${address}/${familyOf(address) === "ipv6" ? 128 : 32}`;

/** RFC 5952 text: lower case, the longest run of zero groups (two or more) as "::", no leading zeros. */
export function canonicalIpv6(address: string): string {
  const [head = "", tail] = address.toLowerCase().split("::");
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  const all = [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j] === "0") j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return all.join(":");
  return `${all.slice(0, best.at).join(":")}::${all.slice(best.at + best.len).join(":")}`;
}

function parseHost(item: string): Parsed<string> {
  const [addr = "", bits] = item.split("/");
  if (isIPv4(addr) && IPV4_ADDRESS.test(addr)) {
    if (bits !== undefined && bits !== "32") return { ok: false, fix: `'${item}': a service address is one host, /32 (or no length)` };
    return { ok: true, value: addr };
  }
  // Embedded IPv4 (::ffff:a.b.c.d) is valid to node but not a service address anyone should announce.
  if (isIPv6(addr) && !addr.includes(".")) {
    if (bits !== undefined && bits !== "128") return { ok: false, fix: `'${item}': a service address is one host, /128 (or no length)` };
    return { ok: true, value: canonicalIpv6(addr) };
  }
  return { ok: false, fix: `'${item}' is not an IPv6 or IPv4 address` };
}

const items = (raw: string): string[] =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

export function parseServiceAddresses(raw: string): Parsed<string[]> {
  const out: string[] = [];
  for (const item of items(raw)) {
    const r = parseHost(item);
    if (!r.ok) return { ok: false, fix: `${r.fix}; list addresses like 2001:db8:123::1, 192.0.2.123, comma-separated` };
    if (!out.includes(r.value)) out.push(r.value);
  }
  return out.length > 0 ? { ok: true, value: out } : { ok: false, fix: "list at least one address, or 'off'" };
}

export function parsePeers(raw: string): Parsed<BgpPeer[]> {
  const out: BgpPeer[] = [];
  for (const item of items(raw)) {
    const m = /^(\S+)\s+as\s+(\d{1,10})$/i.exec(item);
    const host = m ? parseHost(m[1]!) : undefined;
    const asn = Number(m?.[2]);
    if (!m || !host?.ok || asn < 1 || asn > 4294967295) {
      return { ok: false, fix: `'${item}' is not 'ADDRESS as ASN'; list the routers like 2001:db8:1::1 as 64500, 192.0.2.1 as 64500` };
    }
    if (out.some((p) => p.address === host.value)) return { ok: false, fix: `${host.value} is listed twice; list each router once` };
    out.push({ address: host.value, asn, family: familyOf(host.value) });
  }
  return out.length > 0 ? { ok: true, value: out } : { ok: false, fix: "list at least one router, or 'off'" };
}

/** A validated list key's value ("off" or comma-separated) as its items. */
export const listValue = (value: string): string[] => (value === "off" ? [] : items(value));

/** A validated fleet.peers value as peers. */
export function peersValue(value: string): BgpPeer[] {
  if (value === "off") return [];
  const r = parsePeers(value);
  return r.ok ? r.value : [];
}
