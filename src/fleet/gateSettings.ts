/*
 * The gate's settings from stratum1.conf's fleet.* keys, and what in them
 * cannot work together (each with its fix), for `stratum1ctl config check`,
 * the gate's start and the FRR generator alike; and everything else
 * stratum1-fleetd takes from stratum1.conf (gateRun), in one value, so that
 * what restarts the gate (config/keyReaders.ts) is checked against what it
 * reads (test/unit/keyReaders.test.ts).
 */
import type { Config } from "../config/schema.js";
import type { GateSettings } from "./fleetGate.js";
import { familyOf, listValue, peersValue } from "./serviceAddress.js";

/** What stratum1-fleetd runs with: the gate's settings and the files and sockets around it. */
export interface GateRun {
  /** fleet.gate: off, and the gate has nothing to do. */
  on: boolean;
  settings: GateSettings;
  /** Why the gate cannot run as configured, each with its fix; empty when it can. */
  problems: string[];
  /** stratum1d's status, read for the receiver side (fleet.receiver = on); null on a node judged on chrony alone. */
  boxStatus: string | null;
  receiver: Config["fleet.receiver"];
  /** Where the gate writes its own state (fleet.status); null: nowhere. */
  statusFile: string | null;
  /** chronyd's monitoring port (ADDRESS:PORT), else its control socket. */
  chrony: { monitor: string | null; control: string | null };
  logLevel: Config["log.level"];
}

export function gateRun(cfg: Config): GateRun {
  return {
    on: cfg["fleet.gate"] === "on",
    settings: gateSettings(cfg),
    problems: fleetProblems(cfg),
    boxStatus: cfg["fleet.receiver"] === "on" ? cfg["status.path"] : null,
    receiver: cfg["fleet.receiver"],
    statusFile: cfg["fleet.status"],
    chrony: { monitor: cfg["chrony.monitor"], control: cfg["chrony.control"] },
    logLevel: cfg["log.level"],
  };
}

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
  if (cfg["fleet.receiver"] === "on" && cfg["status.path"] === null)
    p.push("fleet.receiver = on reads stratum1d's status.path, which is off; set status.path, or fleet.receiver = off on a node without a receiver");
  if (cfg["chrony.monitor"] === null && cfg["chrony.control"] === null) p.push("chrony.monitor and chrony.control are both off: the gate cannot read chrony; set chrony.monitor = 127.0.0.1:323");
  if (cfg["fleet.degraded-offset"] >= cfg["fleet.bad-offset"]) p.push("fleet.degraded-offset must be below fleet.bad-offset");
  if (cfg["fleet.degraded-distance"] >= cfg["fleet.bad-distance"]) p.push("fleet.degraded-distance must be below fleet.bad-distance");
  if (cfg["fleet.degraded-stratum"] > cfg["fleet.bad-stratum"]) p.push("fleet.degraded-stratum must not be above fleet.bad-stratum");
  return p;
}
