/*
 * A receiver's story as a capture: a real receiver's epochs (u-blox NEO-M8N,
 * gpsd's neo-m8n.log) laid out second by second as the story says (a cold
 * start, a fix, the fix lost, the pulse wire pulled, the receiver unplugged),
 * with the pulses and the unplug/replug events of each part, for the tests
 * that run the real service through it in virtual time.
 */
import type { Capture, CaptureRecord } from "../../src/capture/captureFormat.js";
import { splitEpochs } from "../../sim/replay/captureEpochs.js";
import { readCapture } from "../../sim/replay/captures.js";
import { convertEpochs } from "../../sim/replay/convertLog.js";
import { coldStartEpoch, withoutFix } from "../../sim/replay/receiverStory.js";

export type StoryPart = "cold" | "fix" | "lost" | "no-pulse" | "unplugged";

/** Seconds [from, to) from the start of the story. */
export interface StoryStep {
  from: number;
  to: number;
  part: StoryPart;
}

export interface StoryOptions {
  /** The story's first second (POSIX). */
  startS: number;
  /** Whether the receiver pulses in a part; by default with a fix, and while only its serial line is unplugged. */
  pulses?: (part: StoryPart) => boolean;
}

const PULSES_BY_DEFAULT = (part: StoryPart): boolean => part === "fix" || part === "unplugged";

export function partAt(story: readonly StoryStep[], k: number): StoryPart {
  const step = story.find((p) => k >= p.from && k < p.to);
  if (!step) throw new Error(`second ${k} is in no part of the story`);
  return step.part;
}

export function storyCapture(story: readonly StoryStep[], opts: StoryOptions): Capture {
  const fixes = splitEpochs(readCapture("neo-m8n.log"));
  const pulses = opts.pulses ?? PULSES_BY_DEFAULT;
  const length = Math.max(...story.map((s) => s.to));
  let next = 0;
  const epochs = Array.from({ length }, (_, k) => {
    const part = partAt(story, k);
    if (part === "cold") return coldStartEpoch(k);
    const e = fixes[next++ % fixes.length]!;
    return part === "lost" ? withoutFix(e) : e;
  });
  const capture = convertEpochs(epochs, {
    baud: 9600,
    delayMs: 120,
    startS: opts.startS,
    pulses: "fix",
    pulseAt: (k) => pulses(partAt(story, k)),
    phaseNs: () => 1500,
    header: { receiver: "u-blox NEO-M8N (gpsd's neo-m8n.log), as a story" },
  });
  // The serial line goes at the start of each unplugged part and comes back at its end.
  const at = (k: number): CaptureRecord["at"] => ({ sec: opts.startS + k, nsec: 500_000_000 });
  for (const s of story.filter((p) => p.part === "unplugged")) {
    capture.records.push({ kind: "event", at: at(s.from), event: "unplug", args: "" }, { kind: "event", at: at(s.to), event: "replug", args: "" });
  }
  capture.records.sort((a, b) => a.at.sec - b.at.sec || a.at.nsec - b.at.nsec);
  return capture;
}
