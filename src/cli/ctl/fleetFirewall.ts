/*
 * `stratum1ctl fleet-firewall`: the nft commands that fill the firewall's
 * fleet sets with the routers of fleet.peers (src/fleet/fleetFirewall.ts).
 * frr.service's drop-in pipes them into `nft -f -` before FRR starts.
 */
import { fleetFirewall } from "../../fleet/fleetFirewall.js";
import { EXIT } from "../exitCodes.js";
import type { CtlCommand } from "./command.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs, readConfig } from "./configFile.js";

const usage = `usage: stratum1ctl fleet-firewall [--config FILE]
Prints the nft commands that let BGP and BFD in from the routers of fleet.peers only
(stratum1.conf: default $STRATUM1_CONFIG, else ${DEFAULT_CONFIG_PATH}); for 'nft -f -'.`;

export const fleetFirewallCommand: CtlCommand = {
  name: "fleet-firewall",
  summary: "print the nft commands opening BGP and BFD to the fleet's routers (fleet.peers)",
  usage,
  async run(args, io) {
    const parsed = parseCtlArgs(args, { config: { type: "string" } }, usage, io);
    if (!parsed) return EXIT.usage;
    if (parsed.positionals.length > 0) {
      io.err(`stratum1ctl fleet-firewall: unexpected '${parsed.positionals[0]}'\n${usage}\n`);
      return EXIT.usage;
    }
    const { config, problems } = readConfig(configPath(parsed.values.config, io.env));
    for (const p of problems) io.err(`stratum1ctl fleet-firewall: ${p}\n`);
    io.out(fleetFirewall(config));
    return problems.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
