import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** ../shared/captures/gpsd beside the repository (the workplace's shared material). */
export function capturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "..", "shared", "captures", "gpsd");
    if (existsSync(candidate)) return resolve(candidate);
    dir = dirname(dir);
  }
  throw new Error("shared/captures/gpsd not found beside the repository: keep the repo next to the shared/ folder, or pass --capture FILE");
}

export const readCapture = (name: string): Buffer => readFileSync(join(capturesDir(), name));
