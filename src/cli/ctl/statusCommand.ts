/* stratum1ctl status: the one screen to read first; its exit code is for monitoring (see verdict.ts). */
import { hostname } from "node:os";
import type { CtlCommand } from "./command.js";
import { renderStatus } from "./statusView.js";
import { styleFor } from "./style.js";
import { judge, NOT_RUNNING } from "./verdict.js";
import { loadView } from "./viewSnapshot.js";
import { staleMessage } from "./snapshotFile.js";
import { EXIT } from "../exitCodes.js";

const USAGE = `usage: stratum1ctl status [--json] [--config FILE] [--status FILE]
One screen: is the box serving good time (the verdict first), the pulse, fix,
chrony, NTP clients, alarms with the first thing to check, host, input health.
  --json         the snapshot and the verdict, for scripts
  --config FILE  the service's config (default $STRATUM1_CONFIG, else /etc/stratum1/stratum1.conf)
  --status FILE  read this snapshot instead of the config's status.path
Exit status: 0 serving good time, 1 degraded (an alarm, holdover, chrony not
on the pulse yet), 2 not running (no snapshot, or one older than 5 s),
3 cannot tell (the config file cannot be read), 64 usage error.`;

export const statusCommand: CtlCommand = {
  name: "status",
  summary: "is the box serving good time? time, PPS, fix, chrony, clients, alarms, host",
  usage: USAGE,
  async run(args, io) {
    const view = await loadView(args, io, USAGE, false);
    if (!view.ok) {
      if (view.failure && view.opts?.json) {
        io.out(JSON.stringify({ verdict: NOT_RUNNING(view.failure.message), snapshotAgeS: null, stale: null, snapshot: null }, null, 2) + "\n");
      } else if (view.failure) {
        const style = styleFor(io);
        io.out(`${style.bad(style.bold("NOT RUNNING"))}: ${style.bad(view.failure.message)}\n`);
      }
      // A usage or config problem is not a verdict on the service: a usage error (64), or "unknown" (3) to monitoring.
      return view.failure ? EXIT.notRunning : view.code === EXIT.usage ? EXIT.usage : EXIT.unknown;
    }
    const verdict = view.stale ? NOT_RUNNING(staleMessage(view.path, view.ageS)) : judge(view.snapshot);
    if (view.opts.json) {
      io.out(JSON.stringify({ verdict, snapshotAgeS: Math.round(view.ageS * 10) / 10, stale: view.stale, snapshot: view.snapshot }, null, 2) + "\n");
    } else {
      io.out(renderStatus(view.snapshot, verdict, { nowUs: view.nowUs, ageS: view.ageS, path: view.path, hostname: hostname() }, styleFor(io)));
    }
    return verdict.exitCode;
  },
};
