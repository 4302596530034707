/*
 * Sends a plan's frames one at a time and waits for each one's answer:
 * ACK/NAK for UBX CFG messages, PMTK001 for MediaTek commands. One frame
 * in flight at a time, because a u-blox ACK names only the message class
 * and id: two CFG-MSG in flight could not be told apart. Silence gets one
 * retry (a frame can be lost to a receiver still booting); a refusal does
 * not (the receiver has said no, and will say it again). Every outcome is
 * named in one sentence with its cause and what to do.
 */
import type { ConfigStep, Expect } from "./configPlan.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { Heard, ReplyWaiter } from "./replyWaiter.js";

export type StepOutcome = "acknowledged" | "refused" | "no-answer" | "sent" | "write-failed" | "skipped";

export interface StepResult {
  step: string;
  what: string;
  outcome: StepOutcome;
  /** Times the frame was written. */
  attempts: number;
  /** One sentence: what happened and, when it failed, what to do. */
  detail: string;
}

export interface RunOptions {
  /** How long to wait for each answer (u-blox answers within ~100 ms at 9600 baud). */
  timeoutMs: number;
  /** Extra attempts after silence. */
  retries: number;
  /** For the hint in refusals: "protocol 18.00". */
  receiverName: string;
}

export const DEFAULT_RUN: RunOptions = { timeoutMs: 1000, retries: 1, receiverName: "the receiver" };

const PMTK_FLAGS = ["invalid packet", "unsupported command", "valid, but the action failed", "succeeded"];

type Answer = { accepted: true } | { accepted: false; why: string };

function answerTo(expect: Expect, h: Heard): Answer | undefined {
  const c = h.report?.control;
  if (!c) return undefined;
  if (expect.kind === "ubx-ack" && c.kind === "ubx-ack" && c.of.msgClass === expect.msgClass && c.of.msgId === expect.msgId) {
    return c.accepted ? { accepted: true } : { accepted: false, why: "NAK" };
  }
  if (expect.kind === "pmtk-ack" && c.kind === "pmtk-ack" && c.command === expect.command) {
    return c.flag === 3 ? { accepted: true } : { accepted: false, why: `PMTK001 flag ${c.flag}: ${PMTK_FLAGS[c.flag]}` };
  }
  return undefined;
}

export async function runStep(step: ConfigStep, link: ReceiverLink, waiter: ReplyWaiter, opts: RunOptions): Promise<StepResult> {
  const result = (outcome: StepOutcome, attempts: number, detail: string): StepResult => ({ step: step.name, what: step.what, outcome, attempts, detail });
  let attempts = 0;
  for (let i = 0; i <= opts.retries; i++) {
    // The wait starts before the write: at 115200 baud the ACK can beat the write's own promise.
    const answer = step.expect.kind === "none" ? undefined : waiter.waitFor((h) => answerTo(step.expect, h), opts.timeoutMs);
    attempts += 1;
    try {
      await link.write(step.bytes);
    } catch (err) {
      return result("write-failed", attempts, `${step.name}: writing to the receiver failed (${(err as Error).message}); check that the serial port is still there`);
    }
    if (!answer) return result("sent", attempts, `${step.name} sent (${step.what}); it is not acknowledged`);
    const a = await answer;
    if (a?.accepted) return result("acknowledged", attempts, `${step.name} acknowledged (${step.what})`);
    if (a && !a.accepted) {
      return result(
        "refused",
        attempts,
        `${step.name} refused (${a.why}): ${opts.receiverName} does not accept ${step.what}; check its firmware supports it, or set gps.configure = off and configure it yourself`,
      );
    }
  }
  return result(
    "no-answer",
    attempts,
    `${step.name}: no answer in ${opts.timeoutMs / 1000} s (sent ${attempts === 1 ? "once" : `${attempts} times`}); the receiver does not hear the box: check the wire from the Pi's TX to the receiver's RX, and that it still runs at ${link.baud} baud`,
  );
}

/**
 * Runs the steps in order. A refusal does not stop the rest (each setting
 * stands alone); silence or a failed write does: a receiver that stopped
 * answering would only make every later frame wait out its timeout too.
 */
export async function runSteps(steps: readonly ConfigStep[], link: ReceiverLink, waiter: ReplyWaiter, opts: RunOptions, onResult?: (r: StepResult) => void): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let stoppedBy: StepResult | undefined;
  for (const step of steps) {
    const r = stoppedBy
      ? { step: step.name, what: step.what, outcome: "skipped" as const, attempts: 0, detail: `${step.name} not sent: ${stoppedBy.step} went unanswered first` }
      : await runStep(step, link, waiter, opts);
    if (!stoppedBy && (r.outcome === "no-answer" || r.outcome === "write-failed")) stoppedBy = r;
    results.push(r);
    onResult?.(r);
  }
  return results;
}
