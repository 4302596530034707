/* stratum1ctl gps: the fix and the satellite table, from the status snapshot. */
import type { CtlCommand } from "./command.js";
import { renderGps } from "./gpsView.js";
import { styleFor } from "./style.js";
import { loadView, viewExit } from "./viewSnapshot.js";

const USAGE = `usage: stratum1ctl gps [--json] [--config FILE] [--status FILE]
The fix, DOPs, position, receiver identity, antenna, and every satellite in
view: system, PRN/SV (as the receiver numbers it), elevation, azimuth, C/N0
(dB-Hz) and whether it is used in the fix.
  --json   fix, sky, receiver and antenna from the snapshot
Exit status: 0 shown, 2 the service is not running (no snapshot, or a stale one).`;

export const gpsCommand: CtlCommand = {
  name: "gps",
  summary: "the receiver: fix, DOPs, position, identity, antenna, satellite table",
  usage: USAGE,
  async run(args, io) {
    const view = await loadView(args, io, USAGE);
    if (!view.ok) return view.code;
    const s = view.snapshot;
    if (view.opts.json) io.out(JSON.stringify({ updatedAt: s.updatedAt, stale: view.stale, fix: s.fix, sky: s.sky, receiver: s.receiver, antenna: s.antenna, device: s.device }, null, 2) + "\n");
    else io.out(renderGps(s, view.nowUs, styleFor(io)));
    return viewExit(view);
  },
};
