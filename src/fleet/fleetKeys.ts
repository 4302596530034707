/*
 * The fleet.* keys of stratum1.conf: the health gate's thresholds and
 * hysteresis, the service addresses, and what FRR's BGP configuration is
 * generated from. Kept beside the gate rather than in config/schema.ts, which
 * only spreads them into its one table, so the man page and the validator
 * still come from one definition.
 *
 * The defaults and why (docs/fleet.md says it for operators):
 *   bad-offset 75 ms     the NTP pool's monitor drops a server measured past
 *                        75 ms; a fleet node must leave before a monitor, let
 *                        alone a client, would notice.
 *   bad-distance 1000 ms clients reject a server whose root distance passes
 *                        1.5 s (ntpd, chrony's maxdistance is 3 s): withdraw
 *                        with a margin below the strictest.
 *   bad-stratum 8        the pool's monitor drops stratum 8 and above; a
 *                        node that high is far down a chain of fallbacks.
 *   bad-age 4096 s       no clock update for four of chrony's longest default
 *                        polls (maxpoll 10 = 1024 s) means every source is
 *                        lost; past holdover.trust (3600 s, 2^12 = 4096 s as chrony counts it) chrony has
 *                        already said "unsynchronised", so this is the
 *                        gate's own bound behind it (holdover off).
 *   degraded-*           an order of magnitude inside the bad limits: still
 *                        good time, but another node is likely better.
 *   check 2 s, fail 3, pass 10, hold-down 60 s: a bad node is gone within
 *                        about 6 s plus BGP's update; coming back takes 20 s
 *                        of good checks, and a minute after a withdrawal, so
 *                        a flapping node costs clients one move, not many.
 *   lifetime 20 s        an address the gate stops refreshing (hung, killed
 *                        with its unit's clean-up) expires on its own.
 */
import type { KeySpec } from "../config/schema.js";
import { parsePeers, parseServiceAddresses, IPV4_ADDRESS } from "./serviceAddress.js";

const onOff = (doc: string, def: "on" | "off"): KeySpec<"on" | "off"> => ({
  doc,
  default: def,
  values: "on or off",
  parse: (raw) => (raw === "on" || raw === "off" ? { ok: true, value: raw } : { ok: false, fix: "use on or off" }),
});

const whole = (doc: string, def: number, min: number, max: number, unit = ""): KeySpec<number> => ({
  doc,
  default: def,
  values: `a whole number from ${min} to ${max}${unit}`,
  parse: (raw) => {
    if (!/^\d+$/.test(raw)) return { ok: false, fix: `give a whole number from ${min} to ${max}${unit}` };
    const n = Number(raw);
    return n >= min && n <= max ? { ok: true, value: n } : { ok: false, fix: `give a number from ${min} to ${max}${unit}` };
  },
});

const optionalWhole = (doc: string, min: number, max: number): KeySpec<number | null> => ({
  doc,
  default: null,
  values: `a whole number from ${min} to ${max}, or off`,
  parse: (raw) => {
    if (raw === "off" || raw === "") return { ok: true, value: null };
    const r = whole(doc, 0, min, max).parse(raw);
    return r.ok ? r : { ok: false, fix: `${r.fix}, or 'off'` };
  },
});

const addresses = (doc: string): KeySpec<string> => ({
  doc,
  default: "off",
  values: "IPv6 and IPv4 addresses (each becomes a /128 or /32), comma-separated, or off",
  parse: (raw) => {
    if (raw === "off" || raw === "") return { ok: true, value: "off" };
    const r = parseServiceAddresses(raw);
    return r.ok ? { ok: true, value: r.value.join(",") } : r;
  },
});

/** The routers' addresses and AS numbers; kept as normalised text ("ADDRESS as ASN, …"). */
const peers: KeySpec<string> = {
  doc: "the BGP routers this node announces the service addresses to, as 'ADDRESS as ASN', comma-separated (an IPv6 router gets the IPv6 addresses, an IPv4 one the IPv4 addresses), or off",
  default: "off",
  values: "ADDRESS as ASN, comma-separated (e.g. 2001:db8:1::1 as 64500, 192.0.2.1 as 64500), or off",
  parse: (raw) => {
    if (raw === "off" || raw === "") return { ok: true, value: "off" };
    const r = parsePeers(raw);
    return r.ok ? { ok: true, value: r.value.map((p) => `${p.address} as ${p.asn}`).join(", ") } : r;
  },
};

const routerId: KeySpec<string | null> = {
  doc: "BGP router id of this node, an IPv4 address unique in the fleet (its own unicast IPv4 address, or any unique one on an IPv6-only network)",
  default: null,
  values: "an IPv4 address, or off",
  parse: (raw) => {
    if (raw === "off" || raw === "") return { ok: true, value: null };
    return IPV4_ADDRESS.test(raw) ? { ok: true, value: raw } : { ok: false, fix: "give an IPv4 address like 192.0.2.10 (it need not be routed, only unique in the fleet)" };
  },
};

const timers: KeySpec<string> = {
  doc: "BGP keepalive and hold time in seconds ('KEEPALIVE HOLD'): a node that dies without a word (power, cable) is dropped after the hold time unless BFD sees it first",
  default: "3 9",
  values: "two whole numbers KEEPALIVE HOLD, HOLD from 3 to 65535 and at least three times KEEPALIVE",
  parse: (raw) => {
    const m = /^(\d{1,5})\s+(\d{1,5})$/.exec(raw);
    const [k, h] = [Number(m?.[1]), Number(m?.[2])];
    if (!m || k < 1 || h < 3 || h > 65535 || h < 3 * k) return { ok: false, fix: "give 'KEEPALIVE HOLD' in seconds, the hold time at least 3 and three times the keepalive, e.g. '3 9'" };
    return { ok: true, value: `${k} ${h}` };
  },
};

export const FLEET_KEYS = {
  "fleet.gate": onOff(
    "the fleet health gate: announce this node's service addresses over BGP (through FRR) while its time is good, with a worse path while it is degraded, and withdraw them while it is bad; off: no addresses, no BGP",
    "off",
  ),
  "fleet.receiver": onOff(
    "whether this node has a receiver read by stratum1d: on, its alarms and pulse state (status.path) count in the gate's verdict; off on a stratum-2 node, judged on chrony alone",
    "on",
  ),
  "fleet.asn": optionalWhole("this node's BGP AS number (a private one from 64512-65534 or 4200000000-4294967294 unless you have your own)", 1, 4294967295),
  "fleet.router-id": routerId,
  "fleet.peers": peers,
  "fleet.own": addresses("the service addresses this node owns: announced with the plain AS path while it is healthy, so clients of them come here first"),
  "fleet.backup": addresses(
    "the other nodes' service addresses, which this node stands in for: announced with fleet.prepend extra copies of its AS number while it is healthy, so they are used only when their owner is gone",
  ),
  "fleet.prepend": whole("how many extra copies of the AS number a healthy node puts on the path of its backup addresses", 2, 1, 10),
  "fleet.degraded-prepend": whole(
    "how many extra copies of the AS number a degraded node puts on the path of all its addresses (more than fleet.prepend: used only when no healthy node is left)",
    6,
    2,
    20,
  ),
  "fleet.bfd": onOff("BFD on the BGP sessions (FRR's bfdd, 300 ms x 3): a dead node's routes go in about a second instead of the hold time", "on"),
  "fleet.timers": timers,
  "fleet.check": whole("seconds between two health checks of the gate", 2, 1, 60, " s"),
  "fleet.fail": whole("failed checks in a row before the gate goes down a step (announced to degraded, or to withdrawn)", 3, 1, 30),
  "fleet.pass": whole("good checks in a row before the gate goes up a step", 10, 1, 300),
  "fleet.hold-down": whole("seconds after a withdrawal before the addresses may be announced again, however good the checks", 60, 0, 3600, " s"),
  "fleet.lifetime": whole("lifetime of the service addresses in the kernel, refreshed at every check: a gate that stops refreshing loses them after this long", 20, 5, 600, " s"),
  "fleet.bad-offset": whole("withdraw when chrony's clock is further than this from its reference, milliseconds (the NTP pool drops servers past 75 ms)", 75, 1, 10_000, " ms"),
  "fleet.bad-distance": whole("withdraw when the root distance (root delay / 2 + root dispersion) passes this, milliseconds (clients reject 1.5 s to 3 s)", 1000, 10, 16_000, " ms"),
  "fleet.bad-stratum": whole("withdraw at this stratum and above (the NTP pool drops stratum 8 and above)", 8, 2, 16),
  "fleet.bad-age": whole("withdraw when chrony has not updated the clock for this many seconds (every source lost)", 4096, 10, 1_000_000, " s"),
  "fleet.degraded-offset": whole("degrade when chrony's clock is further than this from its reference, milliseconds", 10, 1, 10_000, " ms"),
  "fleet.degraded-distance": whole("degrade when the root distance passes this, milliseconds", 100, 1, 16_000, " ms"),
  "fleet.degraded-stratum": whole("degrade at this stratum and above", 5, 2, 16),
  "fleet.nts-keys": {
    doc: "NTS across the fleet (docs/fleet.md): 'rotate' on the one node that makes chrony's NTS cookie keys (chrony's default weekly rotation), 'follow' on the others, whose chrony then never rotates (ntsrotate 0) and takes the rotating node's keys, copied by stratum1-nts-sync.timer over SSH and loaded with 'chronyc rekey', so a client moved between nodes keeps its cookies",
    default: "rotate" as "rotate" | "follow",
    values: "rotate or follow",
    parse: (raw: string) =>
      raw === "rotate" || raw === "follow"
        ? { ok: true as const, value: raw as "rotate" | "follow" }
        : { ok: false as const, fix: "use rotate (this node makes the keys) or follow (it takes them from the rotating node)" },
  } satisfies KeySpec<"rotate" | "follow">,
  "fleet.nts-source": {
    doc: "with fleet.nts-keys = follow: the rotating node, as an SSH destination (user stratum1-nts, the forced command that prints its ntskeys file), e.g. stratum1-nts@pi.example.net",
    default: null as string | null,
    values: "USER@HOST (a host name or address), or off",
    parse: (raw: string) => {
      if (raw === "off" || raw === "") return { ok: true as const, value: null };
      return /^[a-z_][a-z0-9_-]{0,31}@[A-Za-z0-9.:-]+$/.test(raw)
        ? { ok: true as const, value: raw as string | null }
        : { ok: false as const, fix: "give USER@HOST, e.g. stratum1-nts@pi.example.net" };
    },
  } satisfies KeySpec<string | null>,
  "fleet.status": {
    doc: "where the gate writes its state (JSON) at every check, for stratum1d's panel and status and for stratum1ctl; or off",
    default: "/run/stratum1-fleet/gate.json" as string | null,
    values: "an absolute path without blanks, or off",
    parse: (raw: string) => {
      if (raw === "off" || raw === "") return { ok: true as const, value: null };
      return raw.startsWith("/") && !/\s/.test(raw) ? { ok: true as const, value: raw as string | null } : { ok: false as const, fix: "give an absolute path without blanks, or 'off'" };
    },
  } satisfies KeySpec<string | null>,
} as const;

export type FleetKey = keyof typeof FLEET_KEYS;
