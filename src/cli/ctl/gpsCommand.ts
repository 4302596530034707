/* stratum1ctl gps: the fix, receiver control and the satellite table from the status snapshot; `gps config` asks the service. */
import type { CtlCommand } from "./command.js";
import { GPS_CONFIG_USAGE, runGpsConfig } from "./gpsConfigCommand.js";
import { renderGps } from "./gpsView.js";
import { snapshotViewCommand } from "./viewSnapshot.js";

const view = snapshotViewCommand({
  name: "gps",
  summary: "the receiver: fix, identity, configuration, survey-in, jamming, satellite table; gps config --show/--save",
  usage: `usage: stratum1ctl gps [--json] [--config FILE] [--status FILE]
The fix, DOPs, position, receiver identity, antenna, jamming and spoofing, the
network cross-check and qErr; what receiver control found and did (state,
baud, settings acknowledged and each refused or unanswered, notes, survey-in
progress or the fixed position held); and every satellite in view: system,
PRN/SV (as the receiver numbers it), elevation, azimuth, C/N0 (dB-Hz) and
whether it is used in the fix.
  --json   fix, sky, receiver, antenna, receiver control, jamming, spoofing,
           checks and qErr from the snapshot
Exit status: 0 shown, 2 the service is not running (no snapshot, or a stale one).

${GPS_CONFIG_USAGE}`,
  json: (s) => ({
    fix: s.fix,
    sky: s.sky,
    receiver: s.receiver,
    antenna: s.antenna,
    device: s.device,
    gpsControl: s.gpsControl,
    jamming: s.jamming,
    spoofing: s.spoofing,
    gnssChecks: s.gnssChecks,
    qErr: s.pps?.qErr ?? null,
  }),
  render: renderGps,
});

export const gpsCommand: CtlCommand = {
  ...view,
  run: (args, io) => (args[0] === "config" ? runGpsConfig(args.slice(1), io) : view.run(args, io)),
};
