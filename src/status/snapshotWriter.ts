/*
 * The snapshot on disk: plain JSON written to a temp file and renamed, so a
 * reader never sees half a file. The write is synchronous: status.path lives
 * in /run (tmpfs; see stratum1.conf(5)), where a few kilobytes cost a few
 * microseconds, while the asynchronous way took four thread-pool round trips
 * and as many extra wake-ups of the service every second (measured with
 * strace in `npm run bench`, docs/bench.md).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { StatusSnapshot } from "./contract.js";

export class SnapshotWriter {
  /** The directory is made before the first write and again only after a write found it gone: one file-system call a second fewer. */
  private dirMade = false;

  constructor(private readonly path: string) {}

  /** Throws what the file system said (the caller reports it once). */
  write(snapshot: StatusSnapshot): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    const text = JSON.stringify(snapshot, null, 2) + "\n";
    if (!this.dirMade) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.dirMade = true;
    }
    try {
      writeFileSync(tmp, text, { mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      // The directory went (a tmpfiles clean-up, an operator): made again, once, for this write.
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, text, { mode: 0o644 });
    }
    renameSync(tmp, this.path);
  }
}
