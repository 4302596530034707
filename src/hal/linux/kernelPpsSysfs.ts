/*
 * Kernel PPS through sysfs: /sys/class/pps/ppsN/assert holds
 * "SEC.NSEC#SEQ", the timestamp the pps-gpio interrupt handler took at the
 * last assert edge and how many edges it has seen. The file cannot be
 * poll()ed, so it is read on a short period; that only delays when we learn
 * of an edge, never the timestamp, which is the kernel's and is forwarded
 * untouched.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../clock.js";
import type { PulseEdge, PulseEvents, PulseSource } from "../pulseSource.js";

/** How often the assert file is read: bounds how late an edge is learned of, at about 10 reads a second. */
export const SYSFS_POLL_MS = 100;

const ASSERT_LINE = /^(\d+)\.(\d{9})#(\d+)\s*$/;

export function parseAssert(text: string): PulseEdge | undefined {
  const m = ASSERT_LINE.exec(text);
  if (!m) return undefined;
  return { at: { sec: Number(m[1]), nsec: Number(m[2]) }, seq: Number(m[3]) };
}

export class KernelPpsSysfs implements PulseSource {
  readonly name: string;
  readonly stamping = "kernel";
  private readonly assertPath: string;
  private lastSeq: number | undefined;
  private lastClearSeq: number | undefined;
  private stopTimer: (() => void) | undefined;
  private problem: string | undefined;

  constructor(
    readonly dir: string,
    private readonly clock: Clock,
  ) {
    this.assertPath = join(dir, "assert");
    this.name = `kernel-pps:${dir}`;
  }

  start(events: PulseEvents): void {
    this.stopTimer = this.clock.every(SYSFS_POLL_MS, () => this.poll(events));
    this.poll(events);
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  private poll(events: PulseEvents): void {
    // Taken before the read: any edge the kernel stamped before this moment is in what we read.
    const readAtUs = this.clock.realtimeUs();
    let text: string;
    try {
      text = readFileSync(this.assertPath, "latin1");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      this.setProblem(
        events,
        code === "ENOENT"
          ? `${this.assertPath} does not exist: is 'dtoverlay=pps-gpio,gpiopin=N' in config.txt and the pps-gpio module loaded? (ls /sys/class/pps)`
          : `cannot read ${this.assertPath} (${code}): the service needs read access to /sys/class/pps`,
      );
      return;
    }
    const edge = parseAssert(text);
    if (!edge) {
      this.setProblem(events, `${this.assertPath} holds ${JSON.stringify(text.slice(0, 40))}, not SEC.NSEC#SEQ: is this a PPS device directory?`);
      return;
    }
    this.setProblem(events, undefined);
    // seq 0 is "no edge yet"; the value found at start belongs to a pulse before we were watching.
    if (this.lastSeq !== undefined && edge.seq !== this.lastSeq && edge.seq !== 0) events.edge(edge);
    this.lastSeq = edge.seq;
    // pps-gpio stamps clear edges only with capture-clear; they are read only while someone records.
    if (events.clearWanted()) this.pollClear((e) => events.clearEdge(e));
    events.caughtUp(readAtUs);
  }

  private pollClear(clearEdge: (e: PulseEdge) => void): void {
    let edge: PulseEdge | undefined;
    try {
      edge = parseAssert(readFileSync(join(this.dir, "clear"), "latin1"));
    } catch {
      return; // no clear file: nothing to record
    }
    if (edge && this.lastClearSeq !== undefined && edge.seq !== this.lastClearSeq && edge.seq !== 0) clearEdge(edge);
    this.lastClearSeq = edge?.seq;
  }

  private setProblem(events: PulseEvents, detail: string | undefined): void {
    if (detail === this.problem) return;
    this.problem = detail;
    events.problem(detail);
  }
}
