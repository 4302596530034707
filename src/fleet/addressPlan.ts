/*
 * Which service address goes on which interface for an announced level.
 * FRR redistributes the connected routes of these interfaces, each through
 * its own route-map entry (frrConf.ts): fleet-own plainly, fleet-backup with
 * fleet.prepend extra copies of the AS number, fleet-degraded with
 * fleet.degraded-prepend. So the level is told to the routers by where the
 * address sits, and the kernel is the only state: a gate that restarts reads
 * it back, and an address that is not renewed expires.
 */
import type { HealthLevel } from "./healthVerdict.js";

export const FLEET_INTERFACES = { own: "fleet-own", backup: "fleet-backup", degraded: "fleet-degraded" } as const;

export type FleetInterface = (typeof FLEET_INTERFACES)[keyof typeof FLEET_INTERFACES];

export const ALL_FLEET_INTERFACES: readonly FleetInterface[] = Object.values(FLEET_INTERFACES);

export type AddressPlan = Record<FleetInterface, string[]>;

export function addressPlan(level: HealthLevel, own: readonly string[], backup: readonly string[]): AddressPlan {
  if (level === "healthy") return { "fleet-own": [...own], "fleet-backup": [...backup], "fleet-degraded": [] };
  if (level === "degraded") return { "fleet-own": [], "fleet-backup": [], "fleet-degraded": [...own, ...backup] };
  return { "fleet-own": [], "fleet-backup": [], "fleet-degraded": [] };
}
