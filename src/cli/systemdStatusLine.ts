/* The line `systemctl status stratum1d` shows, sent with STATUS= whenever it changes. */
import { syncLabel } from "../display/pages.js";
import type { StatusSnapshot } from "../status/snapshot.js";

/** Why there is no time from the receiver yet, in the words an operator checks the wiring by. */
function deviceWait(s: StatusSnapshot): string {
  if (s.device.state !== "open") return s.device.detail;
  // The alarm already tells silence from bytes that never decode (wrong baud); its title says which.
  const alarm = s.alarms.find((a) => a.id === "no-gps-data");
  if (alarm) return alarm.title === "GPS GARBLED" ? "nothing decodes" : "silent";
  return s.device.lastDataAt === null ? "nothing received yet" : "no complete epoch yet";
}

/** One line for `systemctl status`: the panel's verdict and the alarms. */
export function statusLine(s: StatusSnapshot, nowUs: number): string {
  const alarms = s.alarms.map((a) => a.title.toLowerCase());
  const label = syncLabel(s, nowUs);
  const state = label === "NO GPS DATA" || label === "WAITING GPS" ? `waiting for GPS (${s.device.path}: ${deviceWait(s)})` : label.toLowerCase();
  return `${state}${alarms.length > 0 ? `; alarms: ${alarms.join(", ")}` : ""}`;
}
