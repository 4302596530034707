/*
 * A host clock the box can check its receiver against: chrony synchronised
 * to network servers, not to this box's own refclocks (their time is the
 * receiver's, so agreeing with it proves nothing), with its own estimate of
 * the system clock's error and its distance to UTC both well inside the
 * fraction of a second the checks need. A Pi at boot has no such clock; one
 * whose chrony is on the pulse does not either.
 */
import type { ChronyTracking } from "../status/contract.js";

/** The refids of the box's own refclocks. */
export const OWN_REFCLOCKS: ReadonlySet<string> = new Set(["NMEA", "PPS"]);

/** Good enough to tell one second from the next, with room to spare. */
const WITHIN_S = 0.1;

export function clockIsVerified(t: ChronyTracking | null | undefined): boolean {
  if (!t || t.leap === "unsynchronised" || t.stratum < 2 || OWN_REFCLOCKS.has(t.refName)) return false;
  return Math.abs(t.systemOffsetS) < WITHIN_S && t.rootDelayS / 2 + t.rootDispersionS < WITHIN_S;
}
