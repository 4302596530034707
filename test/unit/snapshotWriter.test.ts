/*
 * The status file on disk: written whole (temp file and rename), and written
 * again after its directory was removed under it (the writer makes the
 * directory once, then only when a write finds it gone).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { StatusSnapshot } from "../../src/status/contract.js";
import { SnapshotWriter } from "../../src/status/snapshotWriter.js";

const snap = (n: number): StatusSnapshot => ({ n }) as unknown as StatusSnapshot;

test("snapshot writer: the directory is made, the file replaced whole, and made again when removed", () => {
  const root = mkdtempSync(join(tmpdir(), "stratum1-snapwriter-"));
  try {
    const dir = join(root, "run", "stratum1");
    const path = join(dir, "status.json");
    const w = new SnapshotWriter(path);
    w.write(snap(1));
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { n: 1 });
    w.write(snap(2));
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { n: 2 });
    assert.deepEqual(readdirSync(dir), ["status.json"], "no temp file left behind");

    rmSync(dir, { recursive: true });
    w.write(snap(3));
    assert.ok(existsSync(path), "the directory was made again");
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { n: 3 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
