/*
 * The card for the update test: a copy of the twin's A/B disk image, each
 * partition attached as its own loop device (this machine's kernel may not
 * scan partition tables on loop devices), and the Raspberry Pi firmware's
 * part played here, since it cannot run: read autoboot.txt from the first
 * FAT partition, take [tryboot]'s boot_partition when the tryboot flag is
 * set (once) and [all]'s otherwise, and pass that partition's cmdline.txt
 * to the kernel. Read with mtools, written by nothing but the box.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { partitions, type Partition } from "../support/twin.js";

const MT = { ...process.env, MTOOLS_SKIP_CHECK: "1" };

export interface Layout {
  diskId: string;
  parts: Record<string, number>;
}

export function readLayout(repo: string): Layout {
  const env = Object.fromEntries(
    readFileSync(join(repo, "image/layout.env"), "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split("=") as [string, string]),
  );
  const n = (k: string): number => Number(env[k]);
  return { diskId: env.DISK_ID!, parts: { bootsel: n("PART_BOOTSEL"), bootA: n("PART_BOOT_A"), bootB: n("PART_BOOT_B"), rootA: n("PART_ROOT_A"), rootB: n("PART_ROOT_B"), data: n("PART_DATA") } };
}

export class Card {
  readonly loops = new Map<number, string>();
  private tryboot = false;

  constructor(
    readonly img: string,
    readonly layout: Layout,
  ) {}

  part(n: number): Partition {
    const p = partitions(this.img).find((x) => Number(/(\d+)$/.exec(x.node)?.[1]) === n);
    if (!p) throw new Error(`no partition ${n} on ${this.img}`);
    return p;
  }

  /** Every partition but the extended one on its own loop device. */
  attach(): void {
    for (const n of Object.values(this.layout.parts)) {
      const p = this.part(n);
      const dev = execFileSync("losetup", ["--find", "--show", "--offset", String(p.start * 512), "--sizelimit", String(p.size * 512), this.img], { encoding: "utf8" }).trim();
      this.loops.set(n, dev);
    }
  }

  detach(): void {
    for (const dev of this.loops.values()) spawnSync("losetup", ["-d", dev]);
    this.loops.clear();
  }

  /** A file on a FAT partition, read through the loop device (what the box wrote through it). */
  fatRead(n: number, name: string): string | null {
    const r = spawnSync("mtype", ["-i", this.loops.get(n) ?? `${this.img}@@${this.part(n).start * 512}`, `::${name}`], { encoding: "utf8", env: MT });
    return r.status === 0 ? r.stdout : null;
  }

  fatWrite(n: number, name: string, text: string, scratch: string): void {
    const local = join(scratch, name);
    execFileSync("sh", ["-c", 'cat > "$1"', "sh", local], { input: text });
    execFileSync("mcopy", ["-o", "-i", this.loops.get(n)!, local, `::${name}`], { env: MT, stdio: "pipe" });
  }

  /** The owner's partition as a directory, the way the box sees it mounted at /boot/firmware. */
  copyBootsel(dir: string): void {
    mkdirSync(dir, { recursive: true });
    execFileSync("mcopy", ["-n", "-o", "-i", this.loops.get(this.layout.parts.bootsel!)!, "::*", dir], { env: MT, stdio: "pipe" });
  }

  /** `reboot "0 tryboot"`: the next boot only takes the [tryboot] section. */
  setTrybootFlag(): void {
    this.tryboot = true;
  }

  /** What the firmware would boot now: the boot partition, its cmdline, the root partition it names. */
  firmwareChoice(): { bootPartition: number; tryboot: boolean; cmdline: string; rootPartition: number; slot: string } {
    const auto = this.fatRead(this.layout.parts.bootsel!, "autoboot.txt");
    if (auto === null) throw new Error("firmware: no autoboot.txt on partition 1");
    const sections: Record<string, Record<string, string>> = {};
    let cur = "all";
    for (const line of auto.split(/\r?\n/)) {
      const sec = /^\[(\w+)\]/.exec(line.trim());
      if (sec) cur = sec[1]!;
      const kv = /^(\w+)=(\S+)/.exec(line.trim());
      if (kv) (sections[cur] ??= {})[kv[1]!] = kv[2]!;
    }
    const tryboot = this.tryboot;
    this.tryboot = false; // one-shot: cleared by the firmware before it boots
    const boot = Number((tryboot ? sections.tryboot?.boot_partition : undefined) ?? sections.all?.boot_partition);
    const cmdline = this.fatRead(boot, "cmdline.txt");
    if (cmdline === null) throw new Error(`firmware: partition ${boot} has no cmdline.txt (not a bootable slot)`);
    const root = new RegExp(`root=PARTUUID=${this.layout.diskId}-(\\d\\d)`).exec(cmdline);
    if (!root) throw new Error(`firmware: cmdline.txt of partition ${boot} names no root on this card: ${cmdline}`);
    return { bootPartition: boot, tryboot, cmdline: cmdline.trim(), rootPartition: Number(root[1]), slot: /rauc\.slot=(\S+)/.exec(cmdline)?.[1] ?? "?" };
  }
}
