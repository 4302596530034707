/* The chronyd on this machine: where it is (operators' PATHs often lack /usr/sbin) and what its version understands. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { CHRONY_BASELINE, chronyFeatures, type ChronyFeatures } from "../../chrony/chronyFeatures.js";

export function findChronyd(env: NodeJS.ProcessEnv): string | null {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter((d) => d !== ""), "/usr/sbin", "/sbin"];
  return dirs.map((d) => join(d, "chronyd")).find((p) => existsSync(p)) ?? null;
}

/** The installed chronyd's features; the baseline every chronyd accepts when there is none or it will not say. */
export function installedChronyFeatures(env: NodeJS.ProcessEnv): ChronyFeatures {
  const chronyd = findChronyd(env);
  if (chronyd === null) return CHRONY_BASELINE;
  const r = spawnSync(chronyd, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? chronyFeatures(r.stdout) : CHRONY_BASELINE;
}
