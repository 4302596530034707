/*
 * `stratum1ctl log-forwarding`: systemd-journal-upload's configuration as
 * generated from stratum1.conf's log.remote, printed, or written with --out
 * (what systemd-journal-upload.service's drop-in runs as its start
 * condition). The box keeps its journal in RAM; forwarding it to a log
 * host's systemd-journal-remote is how its history outlives a reboot or a
 * dead card.
 *
 * Exit 0 when there is somewhere to forward to (the file is written), 1 when
 * log.remote is off or broken (the file is removed): as an ExecCondition,
 * 1 makes systemd skip the uploader instead of counting a failure.
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFileAtomically } from "../../config/atomicFile.js";
import { parseRemoteLogUrl } from "../../config/schema.js";
import { EXIT } from "../exitCodes.js";
import type { CtlCommand } from "./command.js";
import { configPath, DEFAULT_CONFIG_PATH, parseCtlArgs, readConfig } from "./configFile.js";

/** For https: the box's client key and certificate and the log host's CA, readable by group systemd-journal (the uploader's). */
export const JOURNAL_UPLOAD_TLS_DIR = "/etc/stratum1/journal-upload";

/** journal-upload.conf(5) for log.remote (validated by the schema). */
export function journalUploadConf(url: string, source: string): string {
  const u = parseRemoteLogUrl(url);
  if (!u) throw new Error(`log.remote '${url}' is not http(s)://HOST[:PORT]`);
  return [
    `# Generated from ${source} (log.remote) by stratum1ctl log-forwarding, before every start of`,
    "# systemd-journal-upload: change log.remote there, not here.",
    "[Upload]",
    `URL=${u.scheme}://${u.host}:${u.port}`,
    ...(u.scheme === "https"
      ? [`ServerKeyFile=${JOURNAL_UPLOAD_TLS_DIR}/key.pem`, `ServerCertificateFile=${JOURNAL_UPLOAD_TLS_DIR}/cert.pem`, `TrustedCertificateFile=${JOURNAL_UPLOAD_TLS_DIR}/ca.pem`]
      : []),
    "",
  ].join("\n");
}

const usage = `usage: stratum1ctl log-forwarding [--config FILE] [--out FILE]
Prints systemd-journal-upload's configuration generated from stratum1.conf's log.remote
(default $STRATUM1_CONFIG, else ${DEFAULT_CONFIG_PATH}), or writes it to FILE atomically.
Exit 1 when log.remote is off or invalid (FILE is then removed): the uploader's drop-in
runs this as its start condition, so the uploader is skipped, not failed.`;

export const logForwardingCommand: CtlCommand = {
  name: "log-forwarding",
  summary: "print (or --out FILE) systemd-journal-upload's configuration for log.remote",
  usage,
  async run(args, io) {
    const parsed = parseCtlArgs(args, { config: { type: "string" }, out: { type: "string" } }, usage, io);
    if (!parsed) return EXIT.usage;
    if (parsed.positionals.length > 0) {
      io.err(`stratum1ctl log-forwarding: unexpected '${parsed.positionals[0]}'\n${usage}\n`);
      return EXIT.usage;
    }
    const path = configPath(parsed.values.config, io.env);
    const { config, problems } = readConfig(path);
    const broken = problems.filter((p) => p.includes("log.remote"));
    for (const p of broken) io.err(`stratum1ctl log-forwarding: ${p}\n`);
    const out = parsed.values.out;
    const url = broken.length > 0 ? null : config["log.remote"];
    if (url === null) {
      if (out !== undefined) rmSync(out, { force: true });
      io.out(`log.remote is ${broken.length > 0 ? "invalid" : "off"} in ${path}: the journal stays on this box (in RAM)\n`);
      return EXIT.failed;
    }
    const text = journalUploadConf(url, path);
    if (out === undefined) {
      io.out(text);
      return EXIT.ok;
    }
    try {
      mkdirSync(dirname(out), { recursive: true });
      replaceFileAtomically(out, text);
    } catch (err) {
      io.err(`stratum1ctl log-forwarding: cannot write ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
      // 255 is a failure for an ExecCondition, not a skip: the uploader should not start without its configuration.
      return 255;
    }
    io.out(`forwarding the journal to ${url}\n`);
    return EXIT.ok;
  },
};
