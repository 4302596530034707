/*
 * The host figures read straight from the kernel, asynchronously: the
 * default route from /proc/net/route, that interface's address from Node's
 * own table, the CPU temperature from /sys/class/thermal. systeminformation,
 * which did this before, runs helper commands with execSync on Linux (ip
 * route, cat of the hwmon files, ethtool): each poll froze the event loop
 * that stamps the serial bytes for 0.5–0.7 s on a quiet x86 machine and
 * seconds on a loaded one, and the replay harness caught its epochs arriving
 * "late" as time jumps every 30 s. Nothing here blocks.
 */
import { readdir, readFile } from "node:fs/promises";
import { networkInterfaces, uptime } from "node:os";
import { join } from "node:path";
import type { HostProbe } from "../hostProbe.js";

/** The interface of the default route with the lowest metric, from /proc/net/route (hex fields; destination 0 is default). */
export function defaultRouteIface(routeTable: string): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of routeTable.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[1] !== "00000000" || f[7] !== "00000000") continue;
    const metric = Number(f[6]);
    if (!best || metric < best.metric) best = { iface: f[0]!, metric };
  }
  return best?.iface ?? null;
}

/** An address to SSH to on that interface: IPv4 first, else a global IPv6 one. */
export function ifaceAddress(iface: string, table = networkInterfaces()): string | null {
  const addrs = table[iface] ?? [];
  const v4 = addrs.find((a) => a.family === "IPv4" && !a.internal);
  const v6 = addrs.find((a) => a.family === "IPv6" && !a.internal && !a.address.startsWith("fe80"));
  return (v4 ?? v6)?.address ?? null;
}

/** The CPU's thermal zone (a Pi names it cpu-thermal), else the first one; °C. */
export async function thermalZoneC(root = "/sys/class/thermal"): Promise<number | null> {
  const zones = (await readdir(root).catch(() => [] as string[])).filter((z) => z.startsWith("thermal_zone")).sort();
  const read = async (z: string, f: string): Promise<string | null> => (await readFile(join(root, z, f), "latin1").catch(() => null))?.trim() ?? null;
  let chosen: string | undefined;
  for (const z of zones) if (/cpu|soc/i.test((await read(z, "type")) ?? "")) chosen ??= z;
  const milli = Number(await read(chosen ?? zones[0] ?? "", "temp"));
  return zones.length > 0 && Number.isFinite(milli) && milli !== 0 ? milli / 1000 : null;
}

export const procHostProbe: HostProbe = {
  async address() {
    const iface = defaultRouteIface(await readFile("/proc/net/route", "latin1").catch(() => ""));
    if (!iface) return { address: null, iface: null };
    const state = (await readFile(`/sys/class/net/${iface}/operstate`, "latin1").catch(() => "unknown")).trim();
    return { address: state === "down" ? null : ifaceAddress(iface), iface };
  },
  cpuTempC: () => thermalZoneC(),
  uptimeS: () => Math.floor(uptime()),
};
