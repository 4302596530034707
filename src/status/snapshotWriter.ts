/*
 * The snapshot on disk: plain JSON written to a temp file and renamed, so a
 * reader never sees half a file, and asynchronously, so the event loop that
 * stamps serial data never waits on the SD card.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { StatusSnapshot } from "./contract.js";

export class SnapshotWriter {
  private writing = false;
  /** The directory is made before the first write and again only after a write found it gone: one file-system round trip a second fewer. */
  private dirMade = false;

  constructor(private readonly path: string) {}

  /** Skips a write while the previous one is still in flight (a slow SD card must not queue writes). */
  async write(snapshot: StatusSnapshot): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    const tmp = `${this.path}.${process.pid}.tmp`;
    const text = JSON.stringify(snapshot, null, 2) + "\n";
    try {
      if (!this.dirMade) {
        await mkdir(dirname(this.path), { recursive: true });
        this.dirMade = true;
      }
      try {
        await writeFile(tmp, text, { mode: 0o644 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        // The directory went (a tmpfiles clean-up, an operator): made again, once, for this write.
        this.dirMade = false;
        await mkdir(dirname(this.path), { recursive: true });
        this.dirMade = true;
        await writeFile(tmp, text, { mode: 0o644 });
      }
      await rename(tmp, this.path);
    } finally {
      this.writing = false;
    }
  }
}
