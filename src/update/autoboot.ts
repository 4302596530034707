/*
 * autoboot.txt on the first FAT partition: the Raspberry Pi firmware (Pi 4,
 * 400, CM4, Pi 5) reads it before anything else. With tryboot_a_b=1 the
 * [all] section names the partition booted normally (the committed slot) and
 * [tryboot] the one booted once after `reboot "0 tryboot"` (the trial); the
 * tryboot flag is cleared by the firmware before it starts, so a crash, a
 * hang caught by the watchdog or a power cut during the trial boots the
 * committed slot again. The file is limited to 512 bytes.
 * See the Raspberry Pi documentation, "autoboot.txt" and "TRYBOOT".
 */
export interface Autoboot {
  /** boot_partition in [all]: what boots without the tryboot flag. */
  normal: number;
  /** boot_partition in [tryboot]: what boots once with it. */
  tryboot: number;
}

export function renderAutoboot(a: Autoboot): string {
  return `[all]\ntryboot_a_b=1\nboot_partition=${a.normal}\n[tryboot]\nboot_partition=${a.tryboot}\n`;
}

/** Reads the two boot_partition lines; anything else a person added is not ours to judge, but a file without them is an error. */
export function parseAutoboot(text: string): Autoboot {
  let section = "all";
  const found: Record<string, number> = {};
  let ab = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const sec = /^\[(\w+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!.toLowerCase();
      continue;
    }
    const m = /^(\w+)=(\d+)$/.exec(line);
    if (!m) continue;
    if (m[1] === "boot_partition") found[section] = Number(m[2]);
    if (m[1] === "tryboot_a_b" && m[2] === "1") ab = true;
  }
  if (found.all === undefined || found.tryboot === undefined || !ab) {
    throw new Error("autoboot.txt lacks tryboot_a_b=1 or a boot_partition in [all] or [tryboot]: it was not written by this box (restore it: docs/updates.md)");
  }
  return { normal: found.all, tryboot: found.tryboot };
}
