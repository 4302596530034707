/* SysV SHM segments as plain memory: the last sample written to each key, and how many. */
import type { ShmSegments, ShmTimeFields } from "../../src/hal/shmSegments.js";

export class MemoryShm implements ShmSegments {
  readonly segments = new Map<number, { writes: number; last: ShmTimeFields | undefined }>();

  attach(key: number): ReturnType<ShmSegments["attach"]> {
    const seg = this.segments.get(key) ?? { writes: 0, last: undefined };
    this.segments.set(key, seg);
    return {
      write(fields) {
        seg.writes += 1;
        seg.last = { ...fields };
        return null;
      },
    };
  }
}
