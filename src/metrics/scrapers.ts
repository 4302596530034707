/*
 * Who may scrape: loopback always, and the networks of metrics.allow. The
 * service checks it on every connection, and the image's firewall and the
 * unit's IP filter are generated from the same list (cli/ctl/metricsAccess),
 * so the three say the same thing.
 */
import { BlockList, isIP } from "node:net";

export interface Network {
  address: string;
  prefix: number;
  family: 4 | 6;
}

export const LOOPBACK: readonly Network[] = [
  { address: "127.0.0.0", prefix: 8, family: 4 },
  { address: "::1", prefix: 128, family: 6 },
];

/** metrics.allow's networks (validated by the schema): [] for none, "all" for anyone. */
export function allowedNetworks(allow: string | null): Network[] | "all" {
  if (allow === null) return [];
  if (allow === "all") return "all";
  return allow.split(",").map((item) => {
    const [address = "", bits] = item.trim().split("/");
    const family = isIP(address) === 6 ? 6 : 4;
    return { address, prefix: bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), family };
  });
}

export interface ScraperCheck {
  allowed(remoteAddress: string | undefined): boolean;
  /** For the log: who is let in. */
  description: string;
}

export function scraperCheck(allow: string | null): ScraperCheck {
  const nets = allowedNetworks(allow);
  if (nets === "all") return { allowed: () => true, description: "anyone who reaches it (metrics.allow = all)" };
  const list = new BlockList();
  for (const n of [...LOOPBACK, ...nets]) list.addSubnet(n.address, n.prefix, n.family === 4 ? "ipv4" : "ipv6");
  return {
    // IPv4 clients of a listener on [::] arrive as ::ffff:a.b.c.d, which BlockList matches against the IPv4 networks.
    allowed: (a) => a !== undefined && isIP(a) !== 0 && list.check(a, isIP(a) === 6 ? "ipv6" : "ipv4"),
    description: nets.length === 0 ? "loopback only (metrics.allow = none)" : `loopback and ${nets.map((n) => `${n.address}/${n.prefix}`).join(", ")}`,
  };
}
