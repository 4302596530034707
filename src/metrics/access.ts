/*
 * What opens the metrics to the management network, from metrics.listen and
 * metrics.allow: the firewall's elements (the image's nftables ruleset has a
 * port set and an address set per family in its input chain, empty until
 * these fill them) and stratum1d's own IP filter (the unit denies every IP
 * address but loopback; systemd's IPAddressAllow adds these networks). The
 * service checks the same list on every connection (scrapers.ts), so
 * firewall, unit and service agree.
 */
import { parseListenAddress } from "../config/schema.js";
import { allowedNetworks } from "./scrapers.js";

export const NFT_TABLE = "inet stratum1";

export interface MetricsAccess {
  /** The TCP port the firewall opens; null when metrics.listen is off. */
  port: number | null;
  v4: string[];
  v6: string[];
  /** systemd's IPAddressAllow for stratum1d.service (loopback always). */
  ipAddressAllow: string[];
}

export function metricsAccess(listen: string | null, allow: string | null): MetricsAccess {
  const where = listen ? parseListenAddress(listen) : undefined;
  if (!where) return { port: null, v4: [], v6: [], ipAddressAllow: ["localhost"] };
  // A listener on loopback cannot be reached from the network: nothing to open.
  if (where.host.startsWith("127.") || where.host === "::1") return { port: null, v4: [], v6: [], ipAddressAllow: ["localhost"] };
  const nets = allowedNetworks(allow);
  if (nets === "all") return { port: where.port, v4: ["0.0.0.0/0"], v6: ["::/0"], ipAddressAllow: ["any"] };
  const cidr = nets.map((n) => ({ text: `${n.address}/${n.prefix}`, family: n.family }));
  const v4 = cidr.filter((n) => n.family === 4).map((n) => n.text);
  const v6 = cidr.filter((n) => n.family === 6).map((n) => n.text);
  return { port: v4.length + v6.length > 0 ? where.port : null, v4, v6, ipAddressAllow: ["localhost", ...v4, ...v6] };
}

/** An nft script that replaces the sets' contents in one transaction (nft -f applies a file atomically). */
export function nftScript(a: MetricsAccess, source: string): string {
  const add = (set: string, items: readonly (string | number)[]): string[] => (items.length > 0 ? [`add element ${NFT_TABLE} ${set} { ${items.join(", ")} }`] : []);
  return [
    `# Generated from ${source} (metrics.listen, metrics.allow) by stratum1ctl metrics-access, before every`,
    "# start of stratum1d; included by /etc/nftables.conf, so a reload of the firewall keeps it.",
    `flush set ${NFT_TABLE} metrics_port`,
    `flush set ${NFT_TABLE} metrics_v4`,
    `flush set ${NFT_TABLE} metrics_v6`,
    ...(a.port !== null ? [...add("metrics_port", [a.port]), ...add("metrics_v4", a.v4), ...add("metrics_v6", a.v6)] : []),
    "",
  ].join("\n");
}
