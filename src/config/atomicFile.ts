/*
 * Replacing a file so that a power cut leaves either the old or the new one,
 * never a half-written or empty file: write beside it, flush it to the card,
 * rename over, flush the directory. Used for the files the box lives by
 * (stratum1.conf, the generated chrony.conf); the mode and owner of the file
 * being replaced are kept.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export function replaceFileAtomically(path: string, text: string, mode = 0o644): void {
  const old = statSync(path, { throwIfNoEntry: false });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, text);
    fchmodSync(fd, old ? old.mode & 0o7777 : mode);
    if (old && process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
