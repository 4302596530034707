/*
 * The GNSS-versus-network cross-check's measurement: where chrony's network
 * servers put the labelled pulse. chrony already measures both against the
 * Pi's clock, so the difference of its latest offsets says how far the
 * receiver's time is from the network's, whichever source chrony follows.
 * A spoofed receiver, a second labelled wrong, or a bad antenna cable moves
 * the pulse and not the servers.
 */
import type { ChronySource, ChronyStatus, GnssChecks } from "./contract.js";

/** A sample older than this many of the source's polls is no longer news. */
const FRESH_POLLS = 4;
/** One server is an opinion; the median of two or more outvotes a single bad one. */
const MIN_SERVERS = 2;

const fresh = (x: ChronySource): boolean => x.reach > 0 && x.lastRxAgoS !== null && x.lastRxAgoS <= FRESH_POLLS * 2 ** Math.max(0, x.poll) + 2;

function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

export function pulseAgainstNetwork(chrony: ChronyStatus | null, pulseRefid = "PPS"): GnssChecks["network"] {
  if (!chrony?.reachable) return null;
  const pulse = chrony.sources.find((x) => x.mode === "#" && x.name === pulseRefid && fresh(x));
  // "?" is chrony's own "unusable": no valid sample to compare.
  const servers = chrony.sources.filter((x) => (x.mode === "^" || x.mode === "=") && x.state !== "?" && fresh(x));
  if (!pulse || servers.length < MIN_SERVERS) return null;
  // lastOffsetS is the local clock minus the source: the pulse minus the network is their difference the other way round.
  const networkOffset = median(servers.map((x) => x.lastOffsetS));
  const errorS = median(servers.map((x) => x.errorS)) + pulse.errorS;
  return { pulseMinusNetworkMs: (networkOffset - pulse.lastOffsetS) * 1e3, servers: servers.length, errorMs: errorS * 1e3 };
}
