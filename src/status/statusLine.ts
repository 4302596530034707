/* The line `systemctl status stratum1d` shows, sent with STATUS= whenever it changes: the summary and the alarms. */
import type { StatusSnapshot } from "./contract.js";

/** Why there is no time from the receiver yet, in the words an operator checks the wiring by. */
function deviceWait(s: StatusSnapshot): string {
  if (s.device.state !== "open") return s.device.detail;
  // The alarm already tells silence from bytes that never decode (wrong baud); its title says which.
  const alarm = s.alarms.find((a) => a.id === "no-gps-data");
  if (alarm) return alarm.title === "GPS GARBLED" ? "nothing decodes" : "silent";
  return s.device.lastDataAt === null ? "nothing received yet" : "no complete epoch yet";
}

export function statusLine(s: StatusSnapshot): string {
  const alarms = s.alarms.map((a) => a.title.toLowerCase());
  const waiting = s.summary.label === "no-gps-data" || s.summary.label === "waiting-gps";
  const state = waiting ? `waiting for GPS (${s.device.path}: ${deviceWait(s)})` : s.summary.text.toLowerCase();
  return `${state}${alarms.length > 0 ? `; alarms: ${alarms.join(", ")}` : ""}`;
}
