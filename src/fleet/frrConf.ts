/*
 * FRR's configuration, generated from stratum1.conf's fleet.* keys the way
 * chrony.conf is (chrony/chronyConf.ts): frr.service's stratum1 drop-in runs
 * `stratum1ctl frr-config --out /etc/frr/frr.conf` before FRR starts. Pure:
 * config in, text out, every block with the reason it is there.
 *
 * What it says: BGP to each router in fleet.peers; the only routes ever
 * announced are the connected routes of the three fleet interfaces, each
 * interface with its own AS-path length (the gate moves addresses between
 * them: addressPlan.ts), filtered again on the way out to exactly the
 * service addresses; nothing is accepted from the routers; BFD on the
 * sessions when fleet.bfd is on.
 */
import type { Config } from "../config/schema.js";
import { FLEET_INTERFACES } from "./addressPlan.js";
import { fleetProblems } from "./gateSettings.js";
import { familyOf, listValue, peersValue, type BgpPeer } from "./serviceAddress.js";

/** The FRR daemons the generated configuration needs (frr's /etc/frr/daemons). */
export function frrDaemons(cfg: Config): { bgpd: boolean; bfdd: boolean } {
  const on = cfg["fleet.gate"] === "on";
  return { bgpd: on, bfdd: on && cfg["fleet.bfd"] === "on" };
}

const lines = (...l: string[]): string => l.join("\n") + "\n";

const prepend = (asn: number, n: number): string => Array<string>(n).fill(String(asn)).join(" ");

function routeMaps(cfg: Config, asn: number, own: string[], backup: string[]): string {
  const all = [...own, ...backup];
  const v6 = all.filter((a) => familyOf(a) === "ipv6");
  const v4 = all.filter((a) => familyOf(a) === "ipv4");
  return lines(
    "! The gate (stratum1-fleet.service) puts each service address on one of three interfaces:",
    `!   ${FLEET_INTERFACES.own}: this node's own addresses while healthy, the plain AS path;`,
    `!   ${FLEET_INTERFACES.backup}: the others' addresses while healthy, ${cfg["fleet.prepend"]} extra copies of the AS (fleet.prepend),`,
    "!     so they are used only while their owner is gone;",
    `!   ${FLEET_INTERFACES.degraded}: every address while degraded, ${cfg["fleet.degraded-prepend"]} extra copies (fleet.degraded-prepend),`,
    "!     used only when no healthy node is left. Withdrawn: on none of them.",
    "! Connected routes of any other interface are not redistributed (the route-map's implicit deny).",
    "route-map FLEET-CONNECTED permit 10",
    ` match interface ${FLEET_INTERFACES.own}`,
    "exit",
    "route-map FLEET-CONNECTED permit 20",
    ` match interface ${FLEET_INTERFACES.backup}`,
    ` set as-path prepend ${prepend(asn, cfg["fleet.prepend"])}`,
    "exit",
    "route-map FLEET-CONNECTED permit 30",
    ` match interface ${FLEET_INTERFACES.degraded}`,
    ` set as-path prepend ${prepend(asn, cfg["fleet.degraded-prepend"])}`,
    "exit",
    "! Announced to the routers: the service addresses and nothing else, whatever else might be redistributed.",
    ...(v6.length ? v6.map((a, i) => `ipv6 prefix-list FLEET-SERVICE-V6 seq ${(i + 1) * 5} permit ${a}/128`) : ["ipv6 prefix-list FLEET-SERVICE-V6 seq 5 deny any"]),
    ...(v4.length ? v4.map((a, i) => `ip prefix-list FLEET-SERVICE-V4 seq ${(i + 1) * 5} permit ${a}/32`) : ["ip prefix-list FLEET-SERVICE-V4 seq 5 deny any"]),
    "route-map FLEET-OUT-V6 permit 10",
    " match ipv6 address prefix-list FLEET-SERVICE-V6",
    "exit",
    "route-map FLEET-OUT-V4 permit 10",
    " match ip address prefix-list FLEET-SERVICE-V4",
    "exit",
    "! A time server needs no routes from the routers: everything they send is refused.",
    "route-map FLEET-IN deny 10",
    "exit",
  );
}

function bfd(cfg: Config): string {
  if (cfg["fleet.bfd"] === "off") return lines("! fleet.bfd = off: a dead node is dropped after the BGP hold time (fleet.timers).");
  return lines(
    "! BFD: a node that dies without a word (power, cable, kernel) is dropped by the routers in about",
    "! a second (3 x 300 ms), not after the hold time. The routers need BFD on their side too.",
    "bfd",
    " profile fleet",
    "  detect-multiplier 3",
    "  receive-interval 300",
    "  transmit-interval 300",
    " exit",
    "exit",
  );
}

function neighbor(cfg: Config, p: BgpPeer): string[] {
  const [keepalive, hold] = cfg["fleet.timers"].split(" ");
  return [
    ` neighbor ${p.address} remote-as ${p.asn}`,
    ` neighbor ${p.address} description stratum1 fleet router`,
    ` neighbor ${p.address} timers ${keepalive} ${hold}`,
    // A router that was down is tried again within seconds, not FRR's default two minutes.
    ` neighbor ${p.address} timers connect 5`,
    ...(cfg["fleet.bfd"] === "on" ? [` neighbor ${p.address} bfd profile fleet`] : []),
  ];
}

function family(name: "ipv6" | "ipv4", peers: BgpPeer[]): string[] {
  const out = name === "ipv6" ? "FLEET-OUT-V6" : "FLEET-OUT-V4";
  const mine = peers.filter((p) => p.family === name);
  if (mine.length === 0) return [];
  return [
    ` address-family ${name} unicast`,
    "  redistribute connected route-map FLEET-CONNECTED",
    ...mine.flatMap((p) => [`  neighbor ${p.address} activate`, `  neighbor ${p.address} route-map FLEET-IN in`, `  neighbor ${p.address} route-map ${out} out`]),
    " exit-address-family",
  ];
}

export function frrConf(cfg: Config, source = "/etc/stratum1/stratum1.conf"): string {
  const head = lines(
    `! frr.conf generated by 'stratum1ctl frr-config' from ${source}.`,
    "! Do not edit: frr.service regenerates it at every start. Change the fleet.* keys of stratum1.conf",
    "! (stratum1ctl config set KEY=VALUE) and restart frr.",
    "frr defaults traditional",
    "log syslog informational",
  );
  const asn = cfg["fleet.asn"];
  const routerId = cfg["fleet.router-id"];
  const peers = peersValue(cfg["fleet.peers"]);
  if (cfg["fleet.gate"] === "off") return head + lines("! fleet.gate = off: no BGP, nothing announced.");
  const problems = fleetProblems(cfg);
  if (problems.length > 0 || asn === null || routerId === null) {
    // A fleet that cannot be configured as asked stays out of the routing: no half-made announcement.
    return head + lines("! The fleet.* keys have problems (stratum1ctl config check); no BGP until they are fixed:", ...problems.map((p) => `!   ${p}`));
  }
  const own = listValue(cfg["fleet.own"]);
  const backup = listValue(cfg["fleet.backup"]);
  return [
    head,
    routeMaps(cfg, asn, own, backup),
    bfd(cfg),
    lines(
      `! This node, AS ${asn}, and the routers it announces the service addresses to (fleet.peers).`,
      `router bgp ${asn}`,
      ` bgp router-id ${routerId}`,
      // Only the address families listed below are negotiated with each router.
      " no bgp default ipv4-unicast",
      ...peers.flatMap((p) => neighbor(cfg, p)),
      ...family("ipv6", peers),
      ...family("ipv4", peers),
      "exit",
    ),
  ].join("!\n");
}
