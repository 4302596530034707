/*
 * What the installed chronyd understands, from `chronyd --version`: the
 * generator writes only directives this chronyd accepts, because chronyd
 * refuses to start on an unknown one, and a box whose chronyd does not start
 * serves nothing. chrony 4.6 added `leapseclist` (the IERS list, which also
 * says when it expires) and `kod` on `ratelimit` (a Kiss-o'-Death RATE
 * answer instead of silence, so a well-behaved client backs off); Debian 12
 * ships 4.3, Debian 13 ships 4.6.
 */
export interface ChronyFeatures {
  /** "4.3", or null when unknown (chronyd not found, or its answer not understood). */
  version: string | null;
  leapseclist: boolean;
  ratelimitKod: boolean;
}

/** What every chronyd since 4.0 understands: the generator's choice when the version is unknown. */
export const CHRONY_BASELINE: ChronyFeatures = { version: null, leapseclist: false, ratelimitKod: false };

export function chronyFeatures(versionOutput: string): ChronyFeatures {
  const m = /chrony\)? version (\d+)\.(\d+)/.exec(versionOutput);
  if (!m) return CHRONY_BASELINE;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const atLeast46 = major > 4 || (major === 4 && minor >= 6);
  return { version: `${major}.${minor}`, leapseclist: atLeast46, ratelimitKod: atLeast46 };
}
