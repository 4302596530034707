/*
 * stratum1ctl chrony: chronyd's own figures, asked on its command socket
 * (chrony.command) with `chronyc -c` — the CSV machine format, never the
 * human tables — and annotated from the status snapshot when there is one.
 */
import type { ChronyQuery } from "../../hal/chronyChannel.js";
import { EXIT } from "../exitCodes.js";
import { chronycQuery } from "../../hal/linux/chronycQuery.js";
import { parseSources, parseSourceStats, parseTracking } from "../../chrony/chronycCsv.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { nowUs, parseCtlOptions } from "./ctlOptions.js";
import { ownRefclocks, renderChrony, type ChronyReadings } from "./chronyView.js";
import { readSnapshot } from "./snapshotFile.js";
import { styleFor } from "./style.js";

const USAGE = `usage: stratum1ctl chrony [--json] [--socket PATH] [--config FILE] [--status FILE]
chronyd's view: tracking (reference, offsets, frequency, leap status) and
every source with its statistics, stratum1d's refclocks marked with the
samples it delivered to each. Asked with 'chronyc -c' on chrony.command
(or --socket PATH).
Exit status: 0 shown, 1 chronyd unreachable, 64 usage error, 78 config error.`;

export const chronyCommand: CtlCommand = {
  name: "chrony",
  summary: "chrony's sources, sourcestats and tracking, stratum1d's refclocks marked",
  usage: USAGE,
  run: (args, io) => runChrony(args, io, chronycQuery),
};

/** The runner factory is a parameter so the same code runs against any command socket. */
export async function runChrony(args: readonly string[], io: CtlIo, runnerFor: (socket: string) => ChronyQuery): Promise<number> {
  const parsed = parseCtlOptions(args, io);
  if (!parsed.ok) {
    io.err(`stratum1ctl: ${parsed.message}\n`);
    return parsed.exit;
  }
  const opts = parsed.value;
  let socket = opts.config["chrony.command"];
  for (let i = 0; i < opts.rest.length; i++) {
    const a = opts.rest[i]!;
    if (a === "--socket" && opts.rest[i + 1]) socket = opts.rest[++i]!;
    else if (a.startsWith("--socket=")) socket = a.slice("--socket=".length);
    else {
      io.err(`stratum1ctl: unknown option '${a}'\n${USAGE}\n`);
      return EXIT.usage;
    }
  }
  if (!socket) {
    io.err(`stratum1ctl: chrony.command is off in ${opts.configSource}; give chronyd's command socket with --socket PATH (Debian: /run/chrony/chronyd.sock)\n`);
    return EXIT.config;
  }
  const run = runnerFor(socket);
  let readings: ChronyReadings;
  try {
    const [tracking, sources, stats] = await Promise.all([run(["tracking"]), run(["sources"]), run(["sourcestats"])]);
    readings = { tracking: parseTracking(tracking), sources: parseSources(sources), stats: parseSourceStats(stats) };
  } catch (err) {
    io.err(`${styleFor(io).bad("stratum1ctl chrony:")} ${(err as Error).message}\n`);
    return EXIT.failed;
  }
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
