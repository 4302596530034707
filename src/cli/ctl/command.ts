/*
 * One stratum1ctl subcommand. Each lives in its own module under src/cli/ctl/
 * and is listed once in commands.ts; stratum1ctl.ts only dispatches. Output
 * goes through `io` so tests run a command in-process and read what a person
 * at the terminal would have seen.
 */
import type { Clock } from "../../hal/clock.js";

export interface CtlIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (colours, tables sized to it). */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  /** "Now" for ages and staleness; stratum1ctl passes the system clock, tests a fixed or virtual one. */
  clock?: Clock;
}

export interface CtlCommand {
  name: string;
  /** One line for `stratum1ctl help`. */
  summary: string;
  /** The full usage text for `stratum1ctl help NAME` and on a usage error. */
  usage: string;
  /** Resolves with the process exit code (0 ok, 1 failure, 2 usage error). */
  run(args: readonly string[], io: CtlIo): Promise<number>;
}
