/*
 * stratum1ctl chrony: chronyd's own figures, asked with chrony's command
 * protocol (src/chrony/cmdmon/) on its UDP command port (chrony.monitor),
 * which any user may ask for monitoring figures, or on its unix socket
 * (--socket PATH), and annotated from the status snapshot when there is one.
 */
import { parseLoopbackPort } from "../../config/schema.js";
import { DEFAULT_CONTROL_SOCKET } from "../../chrony/chronyConf.js";
import { CmdmonClient } from "../../chrony/cmdmon/client.js";
import type { CommandChannel } from "../../hal/commandChannel.js";
import { openUdpCommandChannel } from "../../hal/linux/udpCommandChannel.js";
import { openUnixCommandChannel } from "../../hal/linux/unixCommandChannel.js";
import { systemClock } from "../../hal/linux/systemClock.js";
import { EXIT } from "../exitCodes.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { nowUs, parseCtlOptions } from "./ctlOptions.js";
import { ownRefclocks, renderChrony, type ChronyReadings } from "./chronyView.js";
import { readSnapshot } from "./snapshotFile.js";
import { styleFor } from "./style.js";

const USAGE = `usage: stratum1ctl chrony [--json] [--monitor ADDRESS:PORT | --socket PATH] [--config FILE] [--status FILE]
chronyd's view: tracking (reference, offsets, frequency, leap status) and
every source with its statistics, stratum1d's refclocks marked with the
samples it delivered to each. Asked on chronyd's UDP command port
(chrony.monitor, or --monitor 127.0.0.1:PORT), else on its unix socket
(chrony.control, or --socket PATH).
Exit status: 0 shown, 1 chronyd unreachable, 64 usage error, 78 config error.`;

export const chronyCommand: CtlCommand = {
  name: "chrony",
  summary: "chrony's sources, sourcestats and tracking, stratum1d's refclocks marked",
  usage: USAGE,
  run: (args, io) => runChrony(args, io),
};

type Where = { kind: "udp"; host: "127.0.0.1" | "::1"; port: number; text: string } | { kind: "unix"; path: string; text: string };

function openChannel(where: Where): Promise<CommandChannel> {
  return where.kind === "udp" ? openUdpCommandChannel(where.host, where.port) : openUnixCommandChannel(where.path);
}

export async function runChrony(args: readonly string[], io: CtlIo): Promise<number> {
  const parsed = parseCtlOptions(args, io);
  if (!parsed.ok) {
    io.err(`stratum1ctl: ${parsed.message}\n`);
    return parsed.exit;
  }
  const opts = parsed.value;
  const monitorText = opts.config["chrony.monitor"];
  const monitor = monitorText ? parseLoopbackPort(monitorText) : undefined;
  const controlPath = opts.config["chrony.control"] ?? DEFAULT_CONTROL_SOCKET;
  let where: Where = monitor && monitorText ? { kind: "udp", ...monitor, text: `udp ${monitorText}` } : { kind: "unix", path: controlPath, text: controlPath };
  for (let i = 0; i < opts.rest.length; i++) {
    const a = opts.rest[i]!;
    const eq = a.indexOf("=");
    const [flag, value] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, opts.rest[i + 1]];
    if (flag === "--socket" && value) {
      where = { kind: "unix", path: value, text: value };
      if (eq < 0) i++;
    } else if (flag === "--monitor" && value && parseLoopbackPort(value)) {
      where = { kind: "udp", ...parseLoopbackPort(value)!, text: `udp ${value}` };
      if (eq < 0) i++;
    } else {
      io.err(`stratum1ctl: unknown option '${a}'\n${USAGE}\n`);
      return EXIT.usage;
    }
  }
  let readings: ChronyReadings;
  let channel: CommandChannel | undefined;
  try {
    channel = await openChannel(where);
    // The protocol's own timeouts run on the real clock, whatever clock the caller reads "now" from.
    const client = new CmdmonClient(channel, systemClock());
    readings = { tracking: await client.tracking(), sources: await client.sources(), stats: await client.sourceStats() };
  } catch (err) {
    io.err(`${styleFor(io).bad("stratum1ctl chrony:")} ${(err as Error).message}\n`);
    return EXIT.failed;
  } finally {
    channel?.close();
  }
  const socket = where.text;
  const snap = opts.statusPath ? await readSnapshot(opts.statusPath, nowUs(io)) : undefined;
  const snapshot = snap?.ok ? snap.snapshot : undefined;
  const note = !snap
    ? "status.path is off: no delivery counts"
    : !snap.ok
      ? `no counts: ${snap.message}`
      : snap.stale
        ? `counts from a snapshot ${Math.round(snap.ageS)} s old: stratum1d is not running`
        : null;
  const own = ownRefclocks({ nmeaSock: opts.config["chrony.sock"], ppsSock: opts.config["pps.sock"] }, snapshot);
  if (opts.json) io.out(JSON.stringify({ socket, ...readings, stratum1d: own }, null, 2) + "\n");
  else io.out(renderChrony(readings, own, { socket, snapshotNote: note }, styleFor(io)));
  return EXIT.ok;
}
