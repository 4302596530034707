/* stratum1ctl pps: the pulse, from the status snapshot. */
import type { CtlCommand } from "./command.js";
import { renderPps } from "./ppsView.js";
import { styleFor } from "./style.js";
import { loadView, viewExit } from "./viewSnapshot.js";

const USAGE = `usage: stratum1ctl pps [--json] [--config FILE] [--status FILE]
The pulse: state and since when, learned delay of the receiver's words,
edges seen/labelled/missed/spurious, refusals by reason, interval jitter,
the kernel/GPIO cross-check when configured, and the last 20 edges with the
second each was labelled with or why it was not.
  --json   the snapshot's pps section
Exit status: 0 shown, 2 the service is not running (no snapshot, or a stale one).`;

export const ppsCommand: CtlCommand = {
  name: "pps",
  summary: "the pulse: state, delay, jitter, missed/spurious, the last 20 edges",
  usage: USAGE,
  async run(args, io) {
    const view = await loadView(args, io, USAGE);
    if (!view.ok) return view.code;
    if (view.opts.json) io.out(JSON.stringify({ updatedAt: view.snapshot.updatedAt, stale: view.stale, pps: view.snapshot.pps }, null, 2) + "\n");
    else io.out(renderPps(view.snapshot, view.nowUs, styleFor(io)));
    return viewExit(view);
  },
};
