/*
 * The kernel side of PPS, faked at the file the service reads: a directory
 * shaped like /sys/class/pps/ppsN whose `assert` holds "SEC.NSEC#SEQ". Each
 * write replaces the file in one rename, as the kernel's sysfs read is atomic.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Instant } from "../../src/hal/instant.js";

export class FakeKernelPps {
  private seq = 0;
  private clearSeq = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "assert"), "0.000000000#0\n");
    writeFileSync(join(dir, "clear"), "0.000000000#0\n");
    writeFileSync(join(dir, "name"), "pps@12.-1\n");
  }

  /** An assert edge the "kernel" stamped at `at`. */
  assert(at: Instant): void {
    this.seq += 1;
    this.put("assert", at, this.seq);
  }

  /** A clear (falling) edge, for a pps-gpio set up with capture-clear. */
  clear(at: Instant): void {
    this.clearSeq += 1;
    this.put("clear", at, this.clearSeq);
  }

  private put(file: "assert" | "clear", at: Instant, seq: number): void {
    const tmp = join(this.dir, `.${file}.tmp`);
    writeFileSync(tmp, `${at.sec}.${String(at.nsec).padStart(9, "0")}#${seq}\n`);
    renameSync(tmp, join(this.dir, file));
  }
}
