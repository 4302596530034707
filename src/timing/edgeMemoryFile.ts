/*
 * Verified pulse directions kept on persistent storage (state.dir/pps-edge.json),
 * by receiver: read once at start, written (atomically) the once a direction
 * is verified. A file that cannot be read or written costs
 * only the memory: the direction is assumed again and checked again.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { replaceFileAtomically } from "../config/atomicFile.js";
import type { EdgeMemory } from "./edgeDirection.js";

interface Stored {
  receivers: Record<string, { edge: "after"; verifiedAt: string }>;
}

export class EdgeMemoryFile implements EdgeMemory {
  private stored: Stored = { receivers: {} };
  readonly path: string;

  constructor(
    dir: string,
    private readonly nowIso: () => string,
    private readonly warn: (line: string) => void,
  ) {
    this.path = join(dir, "pps-edge.json");
    try {
      const parsed = JSON.parse(readFileSync(this.path, "utf8")) as Partial<Stored>;
      if (parsed && typeof parsed.receivers === "object" && parsed.receivers !== null) this.stored = { receivers: parsed.receivers };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") this.warn(`pps: cannot read ${this.path} (${code ?? (err as Error).message}): pulse directions will be checked again`);
    }
  }

  recall(receiver: string): "after" | undefined {
    return this.stored.receivers[receiver]?.edge;
  }

  remember(receiver: string): void {
    this.stored.receivers[receiver] = { edge: "after", verifiedAt: this.nowIso() };
    try {
      mkdirSync(join(this.path, ".."), { recursive: true });
      replaceFileAtomically(this.path, `${JSON.stringify(this.stored, null, 2)}\n`);
    } catch (err) {
      this.warn(`pps: cannot write ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): the verified direction is kept until the service stops; check state.dir`);
    }
  }
}
