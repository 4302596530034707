/*
 * Service addresses through iproute2's `ip`, the tool every operator reads
 * the result with: `ip -j addr show dev fleet-own` lists, `ip addr replace`
 * adds or renews the lifetime (one call, idempotent), `ip addr del` removes.
 * The interfaces are dummy interfaces, created here when missing (the
 * dummy module must be in the kernel, as it is on Debian and Raspberry Pi OS);
 * withdrawing never takes one down, because the kernel then drops its IPv6
 * addresses and FRR would see the interface flap.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ServiceAddresses } from "../serviceAddresses.js";

const run = promisify(execFile);

interface IpAddrJson {
  ifname: string;
  flags?: string[];
  addr_info?: Array<{ local: string; scope: string; family: string }>;
}

/** `ip`'s complaint without its usage noise, for a log line. */
function ipError(err: unknown): Error {
  const e = err as { stderr?: string; message: string; code?: string };
  if (e.code === "ENOENT") return new Error("the 'ip' command is missing: apt-get install iproute2");
  return new Error((e.stderr ?? e.message).trim().split("\n")[0] ?? e.message);
}

export function ipServiceAddresses(ipCommand = "ip"): ServiceAddresses {
  const ip = async (...args: string[]): Promise<string> => {
    try {
      return (await run(ipCommand, args, { timeout: 5000 })).stdout;
    } catch (err) {
      throw ipError(err);
    }
  };
  const hostPrefix = (a: string): string => `${a}/${a.includes(":") ? 128 : 32}`;
  return {
    async ensureInterface(name) {
      const shown = await ip("-j", "link", "show", "dev", name).catch(() => undefined);
      if (shown === undefined) {
        await ip("link", "add", name, "type", "dummy").catch((err: Error) => {
          throw new Error(`${err.message} (is the kernel's dummy module available? modprobe dummy)`);
        });
      }
      const [link] = JSON.parse((await ip("-j", "link", "show", "dev", name)) || "[]") as IpAddrJson[];
      if (!link?.flags?.includes("UP")) await ip("link", "set", "dev", name, "up");
    },
    async list(iface) {
      const [dev] = JSON.parse((await ip("-j", "addr", "show", "dev", iface)) || "[]") as IpAddrJson[];
      return (dev?.addr_info ?? []).filter((a) => a.scope === "global").map((a) => a.local);
    },
    async put(iface, address, lifetimeS) {
      // nodad: a service address is on several nodes by design; duplicate address detection would hold it back.
      const v6 = address.includes(":") ? ["nodad"] : [];
      await ip("addr", "replace", hostPrefix(address), "dev", iface, "valid_lft", String(lifetimeS), "preferred_lft", String(lifetimeS), ...v6);
    },
    async remove(iface, address) {
      await ip("addr", "del", hostPrefix(address), "dev", iface);
    },
  };
}
