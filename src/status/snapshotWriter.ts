/*
 * The snapshot on disk: plain JSON written to a temp file and renamed, so a
 * reader never sees half a file. The write is synchronous: status.path lives
 * in /run (tmpfs; see stratum1.conf(5)), where a few kilobytes cost a few
 * microseconds, while the asynchronous way took four thread-pool round trips
 * and as many extra wake-ups of the service every second (measured with
 * strace in `npm run bench`, docs/bench.md).
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { StatusSnapshot } from "./contract.js";

export class SnapshotWriter {
  /** The directory is made before the first write and again only after a write found it gone: one file-system call a second fewer. */
  private dirMade = false;
  /**
   * The text is encoded into this buffer, kept from one second to the next, and written with the
   * plain fd calls: writeFileSync allocated a buffer and validated its options every second, a
   * quarter of the write's cost on the unit's interpreter (measured, docs/bench.md).
   */
  private bytes = Buffer.alloc(16384);

  private readonly tmp: string;

  constructor(private readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
  }

  /** Throws what the file system said (the caller reports it once). */
  write(snapshot: StatusSnapshot): void {
    const tmp = this.tmp;
    // One line, not indented: a third less to serialise and write every second (the indented form cost
    // 35 µs against 23 warm on the unit's interpreter); `stratum1ctl status --json` and jq print it for people.
    const text = JSON.stringify(snapshot) + "\n";
    if (!this.dirMade) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.dirMade = true;
    }
    // UTF-8 takes at most three bytes for each UTF-16 unit.
    if (this.bytes.length < text.length * 3) this.bytes = Buffer.alloc(text.length * 3);
    const length = this.bytes.write(text, 0, "utf8");
    let fd: number;
    try {
      fd = openSync(tmp, "w", 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      // The directory went (a tmpfiles clean-up, an operator): made again, once, for this write.
      mkdirSync(dirname(this.path), { recursive: true });
      fd = openSync(tmp, "w", 0o644);
    }
    try {
      for (let done = 0; done < length; ) done += writeSync(fd, this.bytes, done, length - done);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
