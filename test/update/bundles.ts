/*
 * The bundles the update test installs: two real ones from the twin's root,
 * made by image/bundle.sh (v1, the card's own images; v2, the same root with
 * another version in /opt/stratum1/BUILD), and three small ones that must be
 * refused: unsigned (a bare squashfs), signed by a stranger's key, and signed
 * by the owner for another product (compatible).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mountCiOverlay, unmount } from "../support/nspawn.js";

export interface Keys {
  key: string;
  cert: string;
}

const PLAIN = { ...process.env, BUNDLE_FORMAT: "plain" };

export function makeKey(repo: string, dir: string, name: string): Keys {
  rmSync(dir, { recursive: true, force: true });
  execFileSync(join(repo, "image/update/make-owner-key.sh"), [dir, name], { stdio: "ignore" });
  return { key: join(dir, "owner.key.pem"), cert: join(dir, "owner.cert.pem") };
}

/** image/bundle.sh on make-disk.sh's images (plain format: this machine's kernel has no dm-verity). */
export function bundle(repo: string, images: string, keys: Keys, out: string): string {
  return execFileSync(join(repo, "image/bundle.sh"), [images, keys.key, keys.cert, out], { encoding: "utf8", env: PLAIN }).trim();
}

/** The twin's root with another version, laid out by make-disk.sh into `images`. */
export function secondVersion(repo: string, root: string, work: string, images: string): string {
  const build = readFileSync(join(root, "opt/stratum1/BUILD"), "utf8");
  const v1 = /^stratum1 (\S+)/.exec(build)![1]!;
  const v2 = `${v1}.next`;
  const merged = mountCiOverlay(root, work, { "opt/stratum1/BUILD": build.replace(`stratum1 ${v1}`, `stratum1 ${v2}`) });
  try {
    execFileSync(join(repo, "image/make-disk.sh"), [merged, images], { stdio: ["ignore", "ignore", "inherit"] });
  } finally {
    unmount(merged);
  }
  return v2;
}

/** A small bundle directory: a manifest and a 1 MiB root image, enough for RAUC to judge it. */
function smallContent(dir: string, compatible: string): string {
  const content = join(dir, "content");
  mkdirSync(content, { recursive: true });
  writeFileSync(join(content, "root.ext4"), "");
  truncateSync(join(content, "root.ext4"), 1 << 20);
  writeFileSync(join(content, "manifest.raucm"), `[update]\ncompatible=${compatible}\nversion=0-refused\n\n[bundle]\nformat=plain\n\n[image.rootfs]\nfilename=root.ext4\n`);
  return content;
}

export function smallSigned(dir: string, keys: Keys, compatible: string, out: string): string {
  const content = smallContent(dir, compatible);
  execFileSync("rauc", ["bundle", `--cert=${keys.cert}`, `--key=${keys.key}`, content, out], { stdio: "ignore" });
  return out;
}

/** A plain bundle is a squashfs with a CMS signature appended; without one it is "unsigned". */
export function smallUnsigned(dir: string, compatible: string, out: string): string {
  const content = smallContent(dir, compatible);
  execFileSync("mksquashfs", [content, out, "-all-root", "-noappend", "-no-progress", "-quiet"], { stdio: "ignore" });
  return out;
}
