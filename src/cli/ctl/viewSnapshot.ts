/*
 * What every snapshot view (status, gps, pps) does first: find the
 * snapshot, read it, and say loudly when the service behind it is not
 * running. A view of a stale snapshot is still printed (it is the last thing
 * the service knew) under the warning, and exits 2.
 */
import type { StatusSnapshot } from "../../status/contract.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { nowUs, parseCtlOptions, type CtlOptions } from "./ctlOptions.js";
import { readSnapshot, staleMessage, type SnapshotRead } from "./snapshotFile.js";
import { styleFor, type Style } from "./style.js";
import { EXIT } from "../exitCodes.js";

export type ViewInput =
  | { ok: true; opts: CtlOptions; snapshot: StatusSnapshot; ageS: number; stale: boolean; path: string; nowUs: number }
  | { ok: false; code: number; opts?: CtlOptions; failure?: Extract<SnapshotRead, { ok: false }>; nowUs: number };

/** Exit code of a view command given its snapshot: not running (2) when the service has stopped rewriting it. */
export const viewExit = (v: { stale: boolean }): number => (v.stale ? EXIT.notRunning : EXIT.ok);

/** announce: print the not-running messages to stderr (status prints them in its verdict line instead). */
export async function loadView(args: readonly string[], io: CtlIo, usage: string, announce = true): Promise<ViewInput> {
  const now = nowUs(io);
  const parsed = parseCtlOptions(args, io);
  if (!parsed.ok) {
    io.err(`stratum1ctl: ${parsed.message}\n`);
    return { ok: false, code: parsed.exit, nowUs: now };
  }
  const opts = parsed.value;
  if (opts.rest.length > 0) {
    io.err(`stratum1ctl: unknown option '${opts.rest[0]}'\n${usage}\n`);
    return { ok: false, code: EXIT.usage, nowUs: now };
  }
  if (!opts.statusPath) {
    io.err(`stratum1ctl: status.path is off in ${opts.configSource}: the service writes no snapshot to read; set status.path (default /run/stratum1/status.json) or pass --status FILE\n`);
    return { ok: false, code: EXIT.config, opts, nowUs: now };
  }
  const read = await readSnapshot(opts.statusPath, now);
  if (!read.ok) {
    if (announce && !opts.json) io.err(`${styleFor(io).bad("stratum1ctl:")} ${read.message}\n`);
    return { ok: false, code: EXIT.notRunning, opts, failure: read, nowUs: now };
  }
  if (announce && read.stale && !opts.json) io.err(`${styleFor(io).bad(staleMessage(opts.statusPath, read.ageS))}\n`);
  return { ok: true, opts, snapshot: read.snapshot, ageS: read.ageS, stale: read.stale, path: opts.statusPath, nowUs: now };
}

/** A command that shows one part of the snapshot: `json` picks what --json prints, `render` the text. */
export function snapshotViewCommand(spec: {
  name: string;
  summary: string;
  usage: string;
  json(s: StatusSnapshot): Record<string, unknown>;
  render(s: StatusSnapshot, nowUs: number, style: Style): string;
}): CtlCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(args, io) {
      const view = await loadView(args, io, spec.usage);
      if (!view.ok) return view.code;
      if (view.opts.json) io.out(JSON.stringify({ updatedAt: view.snapshot.updatedAt, stale: view.stale, ...spec.json(view.snapshot) }, null, 2) + "\n");
      else io.out(spec.render(view.snapshot, view.nowUs, styleFor(io)));
      return viewExit(view);
    },
  };
}
