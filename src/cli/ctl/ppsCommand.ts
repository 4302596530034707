/* stratum1ctl pps: the pulse, from the status snapshot. */
import { renderPps } from "./ppsView.js";
import { snapshotViewCommand } from "./viewSnapshot.js";

export const ppsCommand = snapshotViewCommand({
  name: "pps",
  summary: "the pulse: state, delay, jitter, missed/spurious, the last 20 edges",
  usage: `usage: stratum1ctl pps [--json] [--config FILE] [--status FILE]
The pulse: state and since when, learned delay of the receiver's words,
edges seen/labelled/missed/spurious, refusals by reason, interval jitter,
the kernel/GPIO cross-check when configured, and the last 20 edges with the
second each was labelled with or why it was not.
  --json   the snapshot's pps section
Exit status: 0 shown, 2 the service is not running (no snapshot, or a stale one).`,
  json: (s) => ({ pps: s.pps }),
  render: renderPps,
});
