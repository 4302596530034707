/*
 * The answer stratum1ctl status leads with: is this box serving good time?
 * It is the service's own summary (src/status/summary.ts), the same one the
 * front panel shows, so the LCD and the SSH view never disagree; stratum1ctl
 * adds only what the service cannot say about itself, that it is not
 * running. The exit code is for monitoring (see ../exitCodes.ts):
 *   0  serving good time
 *   1  degraded: an alarm, holdover, chrony not (yet) on the pulse, …
 *   2  not running: no snapshot, or one the service stopped rewriting
 */
import type { StatusSnapshot } from "../../status/contract.js";
import { EXIT } from "../exitCodes.js";

export type ServingState = "serving" | "degraded" | "not-running";

export interface Verdict {
  state: ServingState;
  /** LOCKED PPS, NMEA ONLY, HOLDOVER 3m, NO FIX, … or NOT RUNNING. */
  label: string;
  exitCode: (typeof EXIT)["ok" | "degraded" | "notRunning"];
  /** Why it is not "serving", in one sentence; null when it is. */
  reason: string | null;
}

export const NOT_RUNNING = (reason: string): Verdict => ({ state: "not-running", label: "NOT RUNNING", exitCode: EXIT.notRunning, reason });

export function judge(s: StatusSnapshot): Verdict {
  const { state, text, reason } = s.summary;
  return { state, label: text, exitCode: state === "serving" ? EXIT.ok : EXIT.degraded, reason };
}
