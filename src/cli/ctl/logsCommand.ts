/*
 * stratum1ctl logs: the service's journal, `journalctl -u stratum1d` with
 * the options an operator reaches for passed through, checked against a
 * short list so a typo is an error here rather than a confusing one from
 * journalctl. On a terminal journalctl gets it (pager, colours, Ctrl-C for
 * -f); otherwise its output is relayed.
 */
import { spawn } from "node:child_process";
import { EXIT } from "../exitCodes.js";
import type { CtlCommand, CtlIo } from "./command.js";

const USAGE = `usage: stratum1ctl logs [-f] [-n N] [--since TIME] [--until TIME] [-b [ID]] [-p PRIORITY]
                      [-r] [-o FORMAT] [--grep PATTERN] [--no-pager] [--with-chrony]
The service's journal: journalctl -u stratum1d with these options passed on.
Without -n, --since, -b or -f the last 100 lines are shown.
  -f, --follow           keep printing new lines
  -n, --lines N          the last N lines
  --since/--until TIME   e.g. "1 hour ago", "2026-11-22 10:00", today
  -b, --boot [ID]        this boot (or boot ID/offset, e.g. -1)
  -p, --priority P       up to this priority: err, warning, info, … (or a range, warning..err)
  -r, --reverse          newest first
  -o, --output FORMAT    short-iso, short-precise, cat, json, …
  --grep PATTERN         lines matching PATTERN
  --with-chrony          chrony's lines too, interleaved
Without journald (a container, or run by hand) the service logs to its stdout:
read it where its supervisor keeps it (docker logs, the terminal).`;

/** Flags that take a value, and those that do not, as journalctl spells them. */
const WITH_VALUE = new Set(["-n", "--lines", "--since", "--until", "-p", "--priority", "-o", "--output", "--grep", "-S", "-U"]);
const BARE = new Set(["-f", "--follow", "-r", "--reverse", "--no-pager", "-x", "--catalog"]);
const LIMITING = new Set(["-n", "--lines", "--since", "-S", "-f", "--follow", "-b", "--boot"]);

type Built = { ok: true; args: string[] } | { ok: false; message: string };

export function journalctlArgs(args: readonly string[]): Built {
  const out = ["-u", "stratum1d"];
  let limited = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (LIMITING.has(flag)) limited = true;
    if (flag === "--with-chrony") out.push("-u", "chrony");
    else if (BARE.has(flag) && eq < 0) out.push(a);
    else if (flag === "-b" || flag === "--boot") {
      // The boot id is optional: take the next word only when it looks like one (an offset or a 32-hex id).
      const next = args[i + 1];
      if (eq > 0) out.push(a);
      else if (next !== undefined && /^(-?\d+|[0-9a-f]{32})$/.test(next)) out.push(a, args[++i]!);
      else out.push(a);
    } else if (WITH_VALUE.has(flag)) {
      if (eq > 0) out.push(a);
      else {
        const v = args[i + 1];
        if (v === undefined) return { ok: false, message: `${flag} needs a value` };
        out.push(a, v);
        i++;
      }
    } else if (/^-n\d+$/.test(a)) {
      limited = true;
      out.push(a);
    } else return { ok: false, message: `'${a}' is not an option stratum1ctl logs passes to journalctl` };
  }
  if (!limited) out.push("-n", "100");
  return { ok: true, args: out };
}

export const logsCommand: CtlCommand = {
  name: "logs",
  summary: "the service's journal (journalctl -u stratum1d; -f, -n, --since, -b, -p)",
  usage: USAGE,
  async run(args, io) {
    const built = journalctlArgs(args);
    if (!built.ok) {
      io.err(`stratum1ctl logs: ${built.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    return runJournalctl(built.args, io);
  },
};

function runJournalctl(args: readonly string[], io: CtlIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("journalctl", args, { env: io.env, stdio: io.isTty ? "inherit" : ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => io.out(d.toString()));
    child.stderr?.on("data", (d: Buffer) => io.err(d.toString()));
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") {
        io.err(
          "stratum1ctl logs: journalctl is not installed here: no systemd journal (a container, or a system without systemd).\n" +
            "stratum1d writes its log to stdout: read it where its supervisor keeps it (docker logs CONTAINER, kubectl logs POD),\n" +
            "or run it in the foreground to watch it: stratum1d --config /etc/stratum1/stratum1.conf\n",
        );
      } else io.err(`stratum1ctl logs: cannot run journalctl: ${err.message}\n`);
      resolve(1);
    });
    child.once("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
