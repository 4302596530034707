/* stratum1ctl gps: the fix and the satellite table, from the status snapshot. */
import { renderGps } from "./gpsView.js";
import { snapshotViewCommand } from "./viewSnapshot.js";

export const gpsCommand = snapshotViewCommand({
  name: "gps",
  summary: "the receiver: fix, DOPs, position, identity, antenna, satellite table",
  usage: `usage: stratum1ctl gps [--json] [--config FILE] [--status FILE]
The fix, DOPs, position, receiver identity, antenna, and every satellite in
view: system, PRN/SV (as the receiver numbers it), elevation, azimuth, C/N0
(dB-Hz) and whether it is used in the fix.
  --json   fix, sky, receiver and antenna from the snapshot
Exit status: 0 shown, 2 the service is not running (no snapshot, or a stale one).`,
  json: (s) => ({ fix: s.fix, sky: s.sky, receiver: s.receiver, antenna: s.antenna, device: s.device }),
  render: renderGps,
});
