/*
 * The leap second list on disk (time.leap-list), read when the service starts
 * and every few hours after: tzdata is updated by the system's package
 * manager (or, on the appliance, by an image update) without the service
 * being told. Read asynchronously, so the loop that stamps serial data never
 * waits on the SD card.
 */
import { readFile } from "node:fs/promises";
import type { Clock } from "../hal/clock.js";
import { parseLeapSecondList, type LeapSecondList } from "./leapSecondList.js";

const REREAD_MS = 6 * 3600_000;

export class LeapListFile {
  list: LeapSecondList | undefined;
  /** Why there is no list: the file cannot be read, or is not a leap second list. */
  problem: string | null = null;
  private stopTimer: (() => void) | undefined;

  constructor(
    readonly path: string,
    private readonly clock: Clock,
  ) {}

  start(): void {
    void this.read();
    this.stopTimer = this.clock.every(REREAD_MS, () => void this.read());
  }

  stop(): void {
    this.stopTimer?.();
  }

  async read(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, "latin1");
    } catch (err) {
      this.list = undefined;
      this.problem = `cannot read ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): install tzdata, or set time.leap-list`;
      return;
    }
    const parsed = parseLeapSecondList(text);
    if ("problem" in parsed) {
      this.list = undefined;
      this.problem = `${this.path} is not a leap second list (${parsed.problem})`;
      return;
    }
    this.list = parsed;
    this.problem = null;
  }
}
