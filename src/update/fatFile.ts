/*
 * Files on a FAT partition read and written with mtools, without mounting:
 * the owner's partition stays mounted read-only at /boot/firmware (or not at
 * all), and the same code works on a block device on the box and on a
 * partition inside an image file (`IMAGE@@OFFSET`) in the tests.
 * A replacement is written beside, then renamed over the old file, then
 * flushed: a power cut leaves the old file, the new one, or (between delete
 * and rename, a few milliseconds) none; for autoboot.txt "none" makes the
 * firmware boot the first bootable partition, slot A's, which is still a
 * working system.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ENV = { ...process.env, MTOOLS_SKIP_CHECK: "1", MTOOLS_NO_VFAT: "0" };

export interface FatPartition {
  /** The file's text, or null when there is no such file. */
  read(name: string): string | null;
  write(name: string, text: string): void;
}

export function fatPartition(device: string): FatPartition {
  return {
    read(name) {
      const r = spawnSync("mtype", ["-i", device, `::${name}`], { encoding: "utf8", env: ENV });
      if (r.error) throw new Error(`cannot run mtype (${r.error.message}): install mtools`);
      if (r.status !== 0) {
        if (/File .* not found|not found/i.test(r.stderr)) return null;
        throw new Error(`cannot read ${name} on ${device}: ${r.stderr.trim()}`);
      }
      return r.stdout;
    },
    write(name, text) {
      const dir = mkdtempSync(join(tmpdir(), "stratum1-fat-"));
      try {
        const local = join(dir, "new");
        writeFileSync(local, text);
        const tmpName = `${name.replace(/\.[^.]*$/, "")}.new`;
        const run = (argv: string[]): void => void execFileSync(argv[0]!, argv.slice(1), { env: ENV, stdio: ["ignore", "ignore", "pipe"] });
        run(["mcopy", "-o", "-i", device, local, `::${tmpName}`]);
        spawnSync("mdel", ["-i", device, `::${name}`], { env: ENV });
        run(["mren", "-i", device, `::${tmpName}`, `::${name}`]);
        spawnSync("sync", [device]);
      } catch (err) {
        const e = err as { stderr?: Buffer; message: string };
        throw new Error(`cannot write ${name} on ${device}: ${e.stderr?.toString().trim() || e.message}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
