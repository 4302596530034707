/*
 * A receiver's day told in epochs, for the simulated appliance and the panel
 * tests: a cold start (no time, no fix), then a real capture's epochs, then
 * the fix lost for a while (the receiver keeps its clock, as u-blox and
 * MediaTek do, but calls its time invalid), then the capture again.
 */
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
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

/**
 * UBX-NAV-TIMEUTC as a u-blox sends it beside its NMEA (time fields are set
 * when the epoch is replayed): valid bits TOW, WKN and UTC, so the box hears
 * the receiver say whether it vouches for its UTC. Before its first fix a
 * receiver knows none of them; once it has the UTC parameters it keeps
 * vouching through a lost fix.
 */
export function navTimeUtcFrame(valid: number): CaptureFrame {
  const p = Buffer.alloc(20);
  p.writeUInt16LE(2026, 12);
  p.writeUInt8(1, 14);
  p.writeUInt8(1, 15);
  p.writeUInt8(valid, 19);
  return { bytes: encodeUbx(0x01, 0x21, p) };
}

/** The default story: 20 s cold start, 100 s with a fix, 25 s without; looped by the replayer. */
export const DEFAULT_STORY: readonly StoryPart[] = [
  { kind: "cold", seconds: 20 },
  { kind: "fix", seconds: 100 },
  { kind: "lost", seconds: 25 },
];

/** The story's epochs; with `vouches`, each carries a NAV-TIMEUTC saying whether the receiver vouches for its UTC. */
export function tellStory(capture: readonly CaptureEpoch[], parts: readonly StoryPart[], opts: { vouches?: boolean } = {}): CaptureEpoch[] {
  const out: CaptureEpoch[] = [];
  let next = 0;
  let hadFix = false;
  for (const p of parts) {
    for (let k = 0; k < p.seconds; k++) {
      let e: CaptureEpoch;
      if (p.kind === "cold") e = coldStartEpoch(k);
      else {
        const c = capture[next++ % capture.length]!;
        e = p.kind === "fix" ? c : withoutFix(c);
      }
      if (p.kind === "fix") hadFix = true;
      out.push(opts.vouches ? { frames: [...e.frames, navTimeUtcFrame(hadFix ? 0b111 : 0)] } : e);
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
