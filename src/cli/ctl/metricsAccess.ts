/*
 * `stratum1ctl metrics-access`: opens stratum1d's metrics (metrics.listen)
 * to the networks of metrics.allow and to no one else, in the two places
 * that keep everyone else out: the image's firewall (nftables: the port and
 * address sets of table inet stratum1) and stratum1d.service's own IP filter
 * (IPAddressDeny=any, IPAddressAllow=localhost in the unit). stratum1d.service
 * runs it with --apply, as root, before every start, so a changed
 * stratum1.conf takes effect with the restart that applies it, and metrics
 * off closes both again.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { metricsAccess, NFT_TABLE, nftScript, type MetricsAccess } from "../../metrics/access.js";
import { EXIT } from "../exitCodes.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs, readConfig } from "./configFile.js";

/** Root's, not the service's runtime directory: the firewall loads what is here, so the service must not be able to write it. */
export const FIREWALL_DIR = "/run/stratum1-firewall";
const UNIT = "stratum1d.service";

export type Runner = (cmd: string, args: readonly string[]) => Promise<void>;

const execRunner: Runner = async (cmd, args) => {
  await promisify(execFile)(cmd, [...args], { timeout: 30_000 });
};

function describe(a: MetricsAccess, listen: string | null): string {
  if (listen === null) return "metrics.listen is off: nothing is opened\n";
  if (a.port === null) return `metrics on ${listen}: reachable from this box only (loopback, or metrics.allow is none); nothing is opened\n`;
  return `metrics on ${listen}: TCP ${a.port} opened to ${[...a.v4, ...a.v6].join(", ")}\n`;
}

/** Loads the access into the firewall (when this is the image's) and the unit; each step says what it did. */
export async function applyMetricsAccess(a: MetricsAccess, source: string, io: CtlIo, run: Runner = execRunner, dir = FIREWALL_DIR): Promise<number> {
  let status: number = EXIT.ok;
  const file = join(dir, "metrics.nft");
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(file, nftScript(a, source), { mode: 0o644 });
  let imageFirewall = true;
  try {
    await run("nft", ["list", "table", ...NFT_TABLE.split(" ")]);
  } catch {
    imageFirewall = false;
  }
  if (imageFirewall) {
    try {
      await run("nft", ["-f", file]);
      io.out(`firewall: ${a.port === null ? "metrics port closed" : `TCP ${a.port} open to ${[...a.v4, ...a.v6].join(", ")}`}\n`);
    } catch (err) {
      io.err(`stratum1ctl metrics-access: nft -f ${file} failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}\n`);
      status = EXIT.failed;
    }
  } else if (a.port !== null) {
    io.out(`firewall: no nftables table '${NFT_TABLE}' (not the stratum1 image): let TCP ${a.port} in from ${[...a.v4, ...a.v6].join(", ")} in your own firewall\n`);
  }
  try {
    // The reset first: set-property adds to the list, and the unit's own localhost must stay.
    await run("systemctl", ["set-property", "--runtime", UNIT, "IPAddressAllow=", `IPAddressAllow=${a.ipAddressAllow.join(" ")}`]);
    io.out(`${UNIT}: IPAddressAllow=${a.ipAddressAllow.join(" ")}\n`);
  } catch (err) {
    io.err(`stratum1ctl metrics-access: systemctl set-property ${UNIT} failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}\n`);
    status = EXIT.failed;
  }
  return status;
}

const usage = `usage: stratum1ctl metrics-access [--config FILE] [--apply]
Says what opens stratum1d's metrics (metrics.listen) to metrics.allow, from stratum1.conf
(default $STRATUM1_CONFIG, else ${DEFAULT_CONFIG_PATH}). With --apply (as root; stratum1d.service
runs it before every start): the firewall's metrics sets (nft table ${NFT_TABLE}, from
${FIREWALL_DIR}/metrics.nft, which /etc/nftables.conf includes) and stratum1d.service's
IPAddressAllow (systemctl set-property --runtime) are set to exactly that.`;

export const metricsAccessCommand: CtlCommand = {
  name: "metrics-access",
  summary: "open the metrics port to metrics.allow in the firewall and the unit (--apply), or say what would be",
  usage,
  async run(args, io) {
    const parsed = parseCtlArgs(args, { config: { type: "string" }, apply: { type: "boolean" } }, usage, io);
    if (!parsed) return EXIT.usage;
    if (parsed.positionals.length > 0) {
      io.err(`stratum1ctl metrics-access: unexpected '${parsed.positionals[0]}'\n${usage}\n`);
      return EXIT.usage;
    }
    const path = configPath(parsed.values.config, io.env);
    const { config, problems } = readConfig(path);
    const broken = problems.filter((p) => p.includes("metrics."));
    for (const p of broken) io.err(`stratum1ctl metrics-access: ${p}\n`);
    // A broken setting opens nothing: the service will not start on it anyway.
    const listen = broken.length > 0 ? null : config["metrics.listen"];
    const access = metricsAccess(listen, config["metrics.allow"]);
    io.out(describe(access, listen));
    if (!parsed.values.apply) return broken.length > 0 ? EXIT.failed : EXIT.ok;
    const applied = await applyMetricsAccess(access, path, io);
    return broken.length > 0 ? EXIT.failed : applied;
  },
};
