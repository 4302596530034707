/*
 * RAUC through its command line (the D-Bus service does the work): slot
 * status as JSON, install with its progress lines, mark-good and mark-bad on
 * the booted slot.
 */
import { spawn, spawnSync } from "node:child_process";
import type { SlotName } from "./layout.js";

export interface RaucSlotInfo {
  bootname: SlotName;
  /** The installed bundle's version (the slot's status), or null for a slot RAUC never wrote. */
  version: string | null;
}

/** Root slots and what is in them, from `rauc status --detailed --output-format=json`. */
export function raucSlots(): RaucSlotInfo[] {
  const r = spawnSync("rauc", ["status", "--detailed", "--output-format=json"], { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw new Error(`cannot run rauc (${r.error.message}): is the rauc package installed?`);
  if (r.status !== 0) throw new Error(`rauc status failed: ${r.stderr.trim().split("\n").pop() ?? ""}`);
  const j = JSON.parse(r.stdout) as { slots?: Array<Record<string, { bootname?: string; slot_status?: { bundle?: { version?: string } } }>> };
  const out: RaucSlotInfo[] = [];
  for (const entry of j.slots ?? []) {
    for (const [name, s] of Object.entries(entry)) {
      if (!name.startsWith("rootfs.") || (s.bootname !== "A" && s.bootname !== "B")) continue;
      out.push({ bootname: s.bootname, version: s.slot_status?.bundle?.version ?? null });
    }
  }
  return out;
}

export interface InstallProgress {
  percent: number;
  step: string;
}

/** `rauc install`, reporting each progress line; resolves with RAUC's last error line on failure. */
export function raucInstall(bundle: string, onProgress: (p: InstallProgress) => void): Promise<{ ok: true } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const child = spawn("rauc", ["install", bundle], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let errText = "";
    const onLine = (line: string): void => {
      const m = /^\s*(\d{1,3})%\s+(.*\S)\s*$/.exec(line);
      if (m) onProgress({ percent: Number(m[1]), step: m[2]! });
    };
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      const lines = buf.split(/\r?\n|\r/);
      buf = lines.pop() ?? "";
      lines.forEach(onLine);
    });
    child.stderr.on("data", (d: Buffer) => (errText += d.toString()));
    child.once("error", (e) => resolve({ ok: false, message: `cannot run rauc (${e.message})` }));
    child.once("close", (code) => {
      if (code === 0) return resolve({ ok: true });
      // The rauc client prints the service's progress and states; the cause is its LastError.
      const text = errText + out;
      const lastError = /LastError: (.+)/.exec(text)?.[1]?.trim();
      const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !/^\d{1,3}%/.test(l) && !/^(installing|idle)$/.test(l));
      resolve({ ok: false, message: lastError ?? (lines.slice(-2).join("; ") || `rauc install exited ${code}`) });
    });
  });
}

/** RAUC's reason for refusing a bundle, with what it means for the operator. */
export function explainRefusal(raucMessage: string): string {
  if (/Signature size is 0|no signature/i.test(raucMessage)) return `the bundle is not signed (${raucMessage})`;
  if (/signature verification failed/i.test(raucMessage)) return `the bundle is not signed with the owner's key in /etc/rauc/keyring.pem (${raucMessage})`;
  if (/Compatible mismatch/i.test(raucMessage)) return `the bundle is for another product or CPU (${raucMessage})`;
  return raucMessage;
}

/** mark-good or mark-bad on the booted slot (RAUC calls the backend's set-state). */
export function raucMark(how: "good" | "bad"): void {
  const r = spawnSync("rauc", ["status", `mark-${how}`], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`rauc status mark-${how} failed: ${(r.stderr || r.stdout).trim()}`);
}
