/*
 * A receiver's day told in epochs, for the simulated appliance and the panel
 * tests: a cold start (no time, no fix), then a real capture's epochs, then
 * the fix lost for a while (the receiver keeps its clock, as u-blox and
 * MediaTek do, but calls its time invalid), then the capture again.
 */
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import type { CaptureEpoch, CaptureFrame } from "./captureEpochs.js";

const nmea = (body: string): CaptureFrame => {
  const text = withChecksum(body);
  return { text, bytes: Buffer.from(text + "\r\n", "latin1") };
};

/** GPGSV for `n` satellites in view, four per sentence, not yet tracked (no SNR). */
function gsv(n: number): CaptureFrame[] {
  const total = Math.max(1, Math.ceil(n / 4));
  const two = (x: number): string => String(x).padStart(2, "0");
  return Array.from({ length: total }, (_, i) => {
    const blocks = Array.from({ length: Math.min(4, n - i * 4) }, (_, j) => {
      const prn = i * 4 + j + 1;
      return `${two(prn)},${two(10 + ((prn * 7) % 70))},${String((prn * 47) % 360).padStart(3, "0")},`;
    });
    return nmea(`$GPGSV,${total},${i + 1},${two(n)}${blocks.map((b) => "," + b).join("")}`);
  });
}

/** What a u-blox M8 sends each second before its first fix: empty time and position, satellites coming into view. */
export function coldStartEpoch(k: number): CaptureEpoch {
  const seen = Math.min(12, Math.floor(k / 2));
  return {
    frames: [nmea("$GNRMC,,V,,,,,,,,,,N"), nmea("$GNVTG,,,,,,,,,N"), nmea("$GNGGA,,,,,,0,00,99.99,,,,,,"), nmea("$GNGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99"), ...gsv(seen), nmea("$GNGLL,,,,,,V,N")],
  };
}

/** Field edits that turn a fixed epoch's sentence into the same second without a fix. */
const WITHOUT_FIX: Record<string, (f: string[]) => void> = {
  RMC: (f) => {
    f[2] = "V";
    if (f.length > 12) f[12] = "N";
  },
  GGA: (f) => {
    f[6] = "0";
    f[7] = "00";
  },
  GSA: (f) => {
    f[2] = "1";
  },
  GLL: (f) => {
    f[6] = "V";
    if (f.length > 7) f[7] = "N";
  },
  GNS: (f) => {
    f[6] = (f[6] ?? "").replace(/./g, "N");
  },
};

/** The same epoch from a receiver that has lost its fix: time kept, declared invalid; UBX navigation frames left out. */
export function withoutFix(e: CaptureEpoch): CaptureEpoch {
  const frames: CaptureFrame[] = [];
  for (const fr of e.frames) {
    if (!fr.text) continue;
    const star = fr.text.lastIndexOf("*");
    const fields = fr.text.slice(0, star < 0 ? undefined : star).split(",");
    const edit = WITHOUT_FIX[fields[0]!.slice(3)];
    if (!edit) {
      frames.push(fr);
      continue;
    }
    edit(fields);
    frames.push(nmea(fields.join(",")));
  }
  return { frames };
}

export type StoryPart = { kind: "cold" | "fix" | "lost"; seconds: number };

/** The default story: 20 s cold start, 100 s with a fix, 25 s without; looped by the replayer. */
export const DEFAULT_STORY: readonly StoryPart[] = [
  { kind: "cold", seconds: 20 },
  { kind: "fix", seconds: 100 },
  { kind: "lost", seconds: 25 },
];

export function tellStory(capture: readonly CaptureEpoch[], parts: readonly StoryPart[]): CaptureEpoch[] {
  const out: CaptureEpoch[] = [];
  let next = 0;
  for (const p of parts) {
    for (let k = 0; k < p.seconds; k++) {
      if (p.kind === "cold") out.push(coldStartEpoch(k));
      else {
        const e = capture[next++ % capture.length]!;
        out.push(p.kind === "fix" ? e : withoutFix(e));
      }
    }
  }
  return out;
}

/** Parses "cold:20,fix:100,lost:25". */
export function parseStory(text: string): StoryPart[] | undefined {
  const parts = text.split(",").map((p) => {
    const [kind, seconds] = p.split(":");
    return { kind: kind as StoryPart["kind"], seconds: Number(seconds) };
  });
  return parts.every((p) => ["cold", "fix", "lost"].includes(p.kind) && Number.isInteger(p.seconds) && p.seconds > 0) ? parts : undefined;
}
