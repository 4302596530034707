/*
 * The gate's settings from stratum1.conf's fleet.* keys, and what in them
 * cannot work together (each with its fix), for `stratum1ctl config check`,
 * the gate's start and the FRR generator alike.
 */
import type { Config } from "../config/schema.js";
import type { GateSettings } from "./fleetGate.js";
import { familyOf, listValue, peersValue } from "./serviceAddress.js";

export function gateSettings(cfg: Config): GateSettings {
  return {
    checkMs: cfg["fleet.check"] * 1000,
    lifetimeS: cfg["fleet.lifetime"],
    hysteresis: { fail: cfg["fleet.fail"], pass: cfg["fleet.pass"], holdDownMs: cfg["fleet.hold-down"] * 1000 },
    thresholds: {
      badOffsetS: cfg["fleet.bad-offset"] / 1000,
      badDistanceS: cfg["fleet.bad-distance"] / 1000,
      badStratum: cfg["fleet.bad-stratum"],
      badAgeS: cfg["fleet.bad-age"],
      degradedOffsetS: cfg["fleet.degraded-offset"] / 1000,
      degradedDistanceS: cfg["fleet.degraded-distance"] / 1000,
      degradedStratum: cfg["fleet.degraded-stratum"],
    },
    own: listValue(cfg["fleet.own"]),
    backup: listValue(cfg["fleet.backup"]),
  };
}

/** Combinations of fleet.* keys that cannot work, each with its fix; empty when the gate is off. */
export function fleetProblems(cfg: Config): string[] {
  if (cfg["fleet.gate"] === "off") return [];
  const p: string[] = [];
  const own = listValue(cfg["fleet.own"]);
  const backup = listValue(cfg["fleet.backup"]);
  const peers = peersValue(cfg["fleet.peers"]);
  if (cfg["fleet.asn"] === null) p.push("fleet.gate = on needs fleet.asn, this node's AS number (e.g. 64601)");
  if (cfg["fleet.router-id"] === null) p.push("fleet.gate = on needs fleet.router-id, an IPv4 address unique in the fleet (e.g. 192.0.2.10)");
  if (peers.length === 0) p.push("fleet.gate = on needs fleet.peers, the routers to announce to (e.g. 2001:db8:1::1 as 64500)");
  if (own.length + backup.length === 0) p.push("fleet.gate = on needs service addresses: fleet.own (this node's) and/or fleet.backup (the others')");
  const both = own.filter((a) => backup.includes(a));
  if (both.length > 0) p.push(`${both.join(", ")} is in both fleet.own and fleet.backup; a node owns an address or stands in for it, not both`);
  for (const fam of ["ipv6", "ipv4"] as const) {
    const addrs = [...own, ...backup].filter((a) => familyOf(a) === fam);
    if (addrs.length > 0 && peers.length > 0 && !peers.some((x) => x.family === fam)) {
      p.push(`${addrs.join(", ")} would never be announced: fleet.peers has no ${fam === "ipv6" ? "IPv6" : "IPv4"} router; add one, or drop the addresses`);
    }
  }
  if (cfg["fleet.degraded-prepend"] <= cfg["fleet.prepend"]) {
    p.push(`fleet.degraded-prepend (${cfg["fleet.degraded-prepend"]}) must be more than fleet.prepend (${cfg["fleet.prepend"]}), or a degraded node would win over a healthy backup`);
  }
  if (cfg["fleet.lifetime"] < 2 * cfg["fleet.check"]) {
    p.push(`fleet.lifetime (${cfg["fleet.lifetime"]} s) must be at least twice fleet.check (${cfg["fleet.check"]} s), or the addresses would expire between two checks`);
  }
  if (cfg["fleet.degraded-offset"] >= cfg["fleet.bad-offset"]) p.push("fleet.degraded-offset must be below fleet.bad-offset");
  if (cfg["fleet.degraded-distance"] >= cfg["fleet.bad-distance"]) p.push("fleet.degraded-distance must be below fleet.bad-distance");
  if (cfg["fleet.degraded-stratum"] > cfg["fleet.bad-stratum"]) p.push("fleet.degraded-stratum must not be above fleet.bad-stratum");
  return p;
}
