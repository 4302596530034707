/*
 * Reading the service's status snapshot and judging whether the service
 * behind it is alive. stratum1d rewrites the file every second; one that has
 * not changed for STALE_AFTER_S means the service is stopped or hung (its
 * watchdog restarts it after 15 s), and the figures in it are history.
 */
import { readFile } from "node:fs/promises";
import { STATUS_VERSION, type StatusSnapshot } from "../../status/contract.js";

export const STALE_AFTER_S = 5;

export type SnapshotRead = { ok: true; snapshot: StatusSnapshot; ageS: number; stale: boolean } | { ok: false; reason: "missing" | "unreadable" | "malformed"; message: string };

function looksLikeSnapshot(x: unknown): x is StatusSnapshot {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.version === "number" && typeof o.updatedAt === "string" && typeof o.device === "object" && typeof o.time === "object" && typeof o.fix === "object";
}

export async function readSnapshot(path: string, nowUs: number): Promise<SnapshotRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return { ok: false, reason: "missing", message: `no status snapshot at ${path}: stratum1d is not running (systemctl status stratum1d), or status.path is off or elsewhere (--config, --status)` };
    }
    return { ok: false, reason: "unreadable", message: `cannot read ${path} (${code ?? (err as Error).message})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: "malformed", message: `${path} is not JSON: not a stratum1d status snapshot` };
  }
  if (!looksLikeSnapshot(parsed)) return { ok: false, reason: "malformed", message: `${path} is JSON but not a stratum1d status snapshot` };
  if (parsed.version !== STATUS_VERSION) {
    return {
      ok: false,
      reason: "malformed",
      message: `${path} is a version ${parsed.version} snapshot and this stratum1ctl reads version ${STATUS_VERSION}: the service and stratum1ctl come from different builds (restart stratum1d after an update)`,
    };
  }
  const ageS = Math.max(0, nowUs / 1e6 - Date.parse(parsed.updatedAt) / 1000);
  return { ok: true, snapshot: parsed, ageS, stale: ageS > STALE_AFTER_S };
}

/** The loud line for a snapshot the service has stopped rewriting. */
export const staleMessage = (path: string, ageS: number): string =>
  `stratum1d is NOT RUNNING (or hung): ${path} was last written ${Math.round(ageS)} s ago (it is rewritten every second). Everything below is from then. Check: systemctl status stratum1d; journalctl -u stratum1d -n 50`;
