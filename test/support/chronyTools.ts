/*
 * Which chronyd and chronyc a cmdmon test runs: the host's (Debian 12's
 * chrony 4.3 here), or Debian 13's (4.6.1) out of the twin image's root.
 *
 * The twin's binaries are run by the twin's own dynamic loader with the
 * twin's libraries (ld.so --library-path), on the host, from the read-only
 * build tree: no container, no chroot, nothing mounted or written there. A
 * chronyd needs nothing else of its system when its configuration names
 * every path (the tests' do) and it runs with -x (no clock control) and
 * -u root (no user switch beyond a passwd lookup, which the host answers).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FakeChronyVersion } from "../../sim/fakes/fakeChronyd.js";
import { twin } from "./twin.js";

export interface ChronyTools {
  /** For test names: "host chrony 4.3", "Debian 13 chrony 4.6.1 (twin)". */
  label: string;
  /** "4.3", "4.6.1": what `chronyc -v` says. */
  version: string;
  /** argv prefixes: the program and what must precede its own arguments. */
  chronyd: readonly string[];
  chronyc: readonly string[];
}

function versionOf(chronyc: readonly string[]): string {
  const out = execFileSync(chronyc[0]!, [...chronyc.slice(1), "-v"], { encoding: "utf8" });
  const v = /version (\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1];
  if (!v) throw new Error(`cannot tell chronyc's version from ${JSON.stringify(out)}`);
  return v;
}

/** The host's chrony (apt-get install chrony). */
export function hostChrony(): ChronyTools {
  const chronyc = ["chronyc"];
  const version = versionOf(chronyc);
  return { label: `host chrony ${version}`, version, chronyd: ["chronyd"], chronyc };
}

const LOADERS: Partial<Record<NodeJS.Architecture, { arch: "amd64" | "arm64"; loader: string; libs: string }>> = {
  x64: { arch: "amd64", loader: "usr/lib64/ld-linux-x86-64.so.2", libs: "usr/lib/x86_64-linux-gnu" },
  arm64: { arch: "arm64", loader: "usr/lib/ld-linux-aarch64.so.1", libs: "usr/lib/aarch64-linux-gnu" },
};

/** The chrony of the twin image built for this host's architecture (npm run test:image builds it). */
export function twinChrony(): ChronyTools {
  const l = LOADERS[process.arch];
  if (!l) throw new Error(`no twin image for ${process.arch}: the twins are amd64 and arm64`);
  const root = join(twin(l.arch), "root");
  const prefix = (program: string): string[] => {
    const path = join(root, program);
    if (!existsSync(path)) throw new Error(`the ${l.arch} twin has no ${program}: is chrony in image/twin's package list?`);
    return [join(root, l.loader), "--library-path", join(root, l.libs), path];
  };
  const chronyc = prefix("usr/bin/chronyc");
  const version = versionOf(chronyc);
  return { label: `Debian 13 chrony ${version} (twin)`, version, chronyd: prefix("usr/sbin/chronyd"), chronyc };
}

/** The fake chronyd that speaks as `version` does, byte for byte, for the commands this box sends (candm.h 4.2 to 4.8). */
export function fakeVersionFor(version: string): FakeChronyVersion {
  const [major, minor] = version.split(".").map(Number);
  if (major === 4 && (minor === 2 || minor === 3)) return "4.3";
  if (major === 4 && minor !== undefined && minor >= 4 && minor <= 8) return "4.6";
  throw new Error(`no fake chronyd speaks as chrony ${version}: check candm.h for changed layouts and add a profile to sim/fakes/fakeChronyd.ts`);
}
