/*
 * Why an exchange with chronyd went wrong, by name. Two kinds:
 *  - a stray or damaged datagram (truncated, badVersion, notReply,
 *    wrongCommand, wrongSequence, late): counted and ignored, as chronyc
 *    ignores them, because it may not be chronyd's answer to us at all (a
 *    spoofed packet, a duplicate after a retransmission); the request waits
 *    on, and if nothing better comes it times out naming what it saw;
 *  - an answer to our request that ends it: an error status from chronyd, or
 *    a reply of the wrong type or length (chronyd speaking other layouts), a
 *    timeout, a transport failure.
 * Every one is counted; none is thrown out of the client: requests reject
 * with a CmdmonError whose message names cause and fix.
 */
import type { StatusName } from "./codes.js";

export const IGNORED_REASONS = ["truncated", "badVersion", "notReply", "wrongCommand", "wrongSequence", "late"] as const;
export const FAILURE_REASONS = [
  "failed",
  "unauthorised",
  "invalid",
  "noSuchSource",
  "inactive",
  "badPacketVersion",
  "badPacketLength",
  "otherStatus",
  "unexpectedReply",
  "wrongLength",
  "malformed",
  "timeout",
  "transport",
  "closed",
  /** Not sent: the figure needs chronyd's control socket and none is configured. */
  "noControlSocket",
] as const;

export type IgnoredReason = (typeof IGNORED_REASONS)[number];
export type FailureReason = (typeof FAILURE_REASONS)[number];
export type CmdmonReason = IgnoredReason | FailureReason;

// Every status chronyd can send (but success) must be a failure reason.
type _StatusesCovered = Exclude<StatusName, "success"> extends FailureReason ? true : never;
const _statusesCovered: _StatusesCovered = true;
void _statusesCovered;

export const ALL_REASONS: readonly CmdmonReason[] = [...IGNORED_REASONS, ...FAILURE_REASONS];

export class CmdmonError extends Error {
  override readonly name = "CmdmonError";
  constructor(
    readonly reason: FailureReason,
    /** chronyc's name for the command that failed ("tracking", "serverstats"). */
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

export const zeroCounts = (): Record<CmdmonReason, number> => Object.fromEntries(ALL_REASONS.map((r) => [r, 0])) as Record<CmdmonReason, number>;
