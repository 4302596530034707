/*
 * The CI twin of the image (image/twin/build.sh) for the image tests: built
 * by `npm run test:image` into STRATUM1_TWIN_OUT (default /tmp/stratum1-twin),
 * and its disk image's partitions read without mounting: mtools for the FAT
 * boot partition, debugfs for ext4.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";

export const REPO = new URL("../../../", import.meta.url).pathname;
export const TWIN_OUT = process.env.STRATUM1_TWIN_OUT ?? "/tmp/stratum1-twin";

/**
 * The twin built by image/twin/build-all.sh (npm run test:image runs it first, so each run tests
 * what it just built); a missing one is a failure that says how to make it.
 */
export function twin(arch: "arm64" | "amd64"): string {
  const dir = join(TWIN_OUT, arch);
  const done = join(dir, arch === "arm64" ? "images/stratum1.img" : "root/opt/stratum1/BUILD");
  if (!existsSync(done)) throw new Error(`no ${arch} twin in ${dir}: run 'npm run test:image' (or image/twin/build-all.sh ${TWIN_OUT})`);
  return dir;
}

export interface Partition {
  node: string;
  start: number;
  size: number;
  type: string;
  bootable: boolean;
}

export function partitions(img: string): Partition[] {
  const table = JSON.parse(execFileSync("sfdisk", ["--json", img], { encoding: "utf8" })) as {
    partitiontable: { partitions: Array<{ node: string; start: number; size: number; type: string; bootable?: boolean }> };
  };
  return table.partitiontable.partitions.map((p) => ({ node: p.node, start: p.start, size: p.size, type: p.type, bootable: p.bootable === true }));
}

/** A file from the FAT partition, read with mtools at its offset in the image. */
export function fatFile(img: string, part: Partition, path: string): string {
  return execFileSync("mtype", ["-i", `${img}@@${part.start * 512}`, `::${path}`], { encoding: "utf8", env: { ...process.env, MTOOLS_SKIP_CHECK: "1" } });
}

export function fatList(img: string, part: Partition): string[] {
  const out = execFileSync("mdir", ["-b", "-i", `${img}@@${part.start * 512}`, "::/"], { encoding: "utf8", env: { ...process.env, MTOOLS_SKIP_CHECK: "1" } });
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.replace(/^::\//, ""));
}

/** An ext4 partition copied out of the image (sparse) so debugfs can read it. */
export class Ext4Partition {
  constructor(readonly file: string) {}

  static extract(img: string, part: Partition, file: string): Ext4Partition {
    execFileSync("dd", [`if=${img}`, `of=${file}`, "bs=512", `skip=${part.start}`, `count=${part.size}`, "conv=sparse", "status=none"]);
    return new Ext4Partition(file);
  }

  private debugfs(request: string): string {
    const r = spawnSync("debugfs", ["-R", request, this.file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`debugfs ${request}: ${r.stderr}`);
    return r.stdout;
  }

  cat(path: string): string {
    return this.debugfs(`cat ${path}`);
  }

  /** Inode facts of a path, or null when it does not exist. */
  stat(path: string): { mode: number; uid: number; gid: number; type: "file" | "dir" | "symlink" | "other"; link?: string } | null {
    const r = spawnSync("debugfs", ["-R", `stat ${path}`, this.file], { encoding: "utf8" });
    if (/File not found/.test(r.stderr) || r.stdout.trim() === "") return null;
    const mode = parseInt(/Mode:\s+0?(\d+)/.exec(r.stdout)?.[1] ?? "0", 8);
    const type = /Type: regular/.test(r.stdout) ? "file" : /Type: directory/.test(r.stdout) ? "dir" : /Type: symlink/.test(r.stdout) ? "symlink" : "other";
    const link = /Fast link dest: "(.*)"/.exec(r.stdout)?.[1];
    return { mode, uid: Number(/User:\s+(\d+)/.exec(r.stdout)?.[1]), gid: Number(/Group:\s+(\d+)/.exec(r.stdout)?.[1]), type, ...(link !== undefined ? { link } : {}) };
  }

  ls(path: string): string[] {
    return this.debugfs(`ls -p ${path}`)
      .split("\n")
      .map((l) => l.split("/")[5] ?? "")
      .filter((n) => n !== "" && n !== "." && n !== "..");
  }

  /** The ELF machine of a file: 183 is aarch64, 62 x86-64. */
  elfMachine(path: string, scratch: string): number {
    this.debugfs(`dump ${path} ${scratch}`);
    const fd = openSync(scratch, "r");
    try {
      const head = Buffer.alloc(20);
      readSync(fd, head, 0, 20, 0);
      if (head.readUInt32BE(0) !== 0x7f454c46) return -1;
      return head.readUInt16LE(18);
    } finally {
      closeSync(fd);
      rmSync(scratch, { force: true });
    }
  }
}
