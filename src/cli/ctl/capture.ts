/*
 * stratum1ctl capture: records what the running service reads, serial bytes
 * and pulse edges with the service's own stamps, into a capture file
 * (format v1) that `npm run hil -- replay FILE` plays back on any machine.
 * It taps the service's stream through its capture socket, so the receiver
 * keeps being served while it records. The header says where and when, on
 * which board, and whether chrony trusted the clock that stamped the edges
 * (the replay takes the stamps' seconds as the truth).
 */
import { readFileSync } from "node:fs";
import { EXIT } from "../exitCodes.js";
import { connect } from "node:net";
import { hostname } from "node:os";
import { CaptureFileWriter } from "../../capture/captureFile.js";
import { CaptureParser, type CaptureHeader } from "../../capture/captureFormat.js";
import type { StatusSnapshot } from "../../status/contract.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { parseCtlArgs } from "./configFile.js";
import { nowUs, parseCtlOptions } from "./ctlOptions.js";
import { readSnapshot } from "./snapshotFile.js";

const USAGE = `usage: stratum1ctl capture [--seconds N] --out FILE[.gz] [--socket PATH] [--config FILE] [--status FILE] [--note TEXT]
Records N seconds (default 60) of what stratum1d reads: serial bytes and kernel PPS edges with
their stamps, and the receiver going and coming back. The service keeps running; the file
replays on any machine with: npm run hil -- replay FILE  (see test/hil/README.md).
The capture socket (capture.socket in the config) is for root and group stratum1.`;

function boardName(): string {
  for (const p of ["/proc/device-tree/model", "/sys/class/dmi/id/product_name"]) {
    try {
      const t = readFileSync(p, "latin1").replace(/\0/g, "").trim();
      if (t) return t;
    } catch {
      // not this kind of machine
    }
  }
  return "unknown";
}

/** What the status snapshot says about the clock that stamped the edges. */
function hostClock(status: StatusSnapshot | undefined): string {
  const t = status?.chrony?.tracking;
  if (!t) return "unknown (chrony's figures not available): the stamps' seconds may not be true seconds";
  if (t.leap === "unsynchronised") return "chrony not synchronised: the stamps' seconds may not be true seconds";
  return `chrony synchronised to ${t.refName} at stratum ${t.stratum}, last offset ${t.lastOffsetS.toExponential(2)} s`;
}

/** What the receiver said it is (TXT, MON-VER, PMTK705), else a line for the person recording to fill in. */
function receiverName(status: StatusSnapshot | undefined): string {
  const r = status?.receiver;
  const words = r ? [r.vendor, r.model, r.hardware && `hw ${r.hardware}`, r.firmware && `fw ${r.firmware}`].filter((w): w is string => Boolean(w)) : [];
  return words.length > 0 ? words.join(" ") : "not named: edit this line (e.g. u-blox NEO-M8T)";
}

export async function recordCapture(socketPath: string, out: string, seconds: number, header: CaptureHeader, io: CtlIo): Promise<number> {
  const parser = new CaptureParser(socketPath);
  let writer: CaptureFileWriter | undefined;
  const counts = { serialBytes: 0, reads: 0, asserts: 0, clears: 0, events: 0 };
  let partial = "";
  let failure: string | undefined;
  const socket = connect(socketPath);
  const done = new Promise<void>((resolve) => {
    socket.on("close", () => resolve());
    socket.on("error", (err: NodeJS.ErrnoException) => {
      failure =
        err.code === "ENOENT" || err.code === "ECONNREFUSED"
          ? `no capture socket at ${socketPath}: is stratum1d running (systemctl status stratum1d), with capture.socket set?`
          : err.code === "EACCES"
            ? `${socketPath}: permission denied: run as root, or as a member of group stratum1`
            : `${socketPath}: ${err.message}`;
      resolve();
    });
  });
  const stopTimer = setTimeout(() => socket.end(), seconds * 1000);
  const interrupt = (): void => void socket.end();
  process.once("SIGINT", interrupt);
  socket.on("data", (d: Buffer) => {
    const lines = (partial + d.toString("latin1")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        const r = parser.line(line);
        if (!r) continue;
        // The service's header lines came first; the file's header is ours with theirs added.
        writer ??= new CaptureFileWriter(out, { ...header, ...parser.header });
        writer.write(r);
        if (r.kind === "serial") {
          counts.serialBytes += r.bytes.length;
          counts.reads += 1;
        } else if (r.kind === "assert") counts.asserts += 1;
        else if (r.kind === "clear") counts.clears += 1;
        else counts.events += 1;
      } catch (err) {
        failure = `${(err as Error).message.replace(/^.*?: not a stratum1 capture.*$/, `${socketPath} is not a stratum1d capture socket`)}`;
        socket.destroy();
        return;
      }
    }
  });
  await done;
  clearTimeout(stopTimer);
  process.removeListener("SIGINT", interrupt);
  if (!writer) writer = failure ? undefined : new CaptureFileWriter(out, { ...header, ...parser.header });
  await writer?.close();
  if (failure) {
    io.err(`stratum1ctl capture: ${failure}\n`);
    return EXIT.failed;
  }
  io.out(
    `${out}: ${counts.serialBytes} serial bytes in ${counts.reads} reads, ${counts.asserts} pulse edges${counts.clears ? ` (+${counts.clears} clear)` : ""}, ${counts.events} events\n` +
      `replay it anywhere with: npm run hil -- replay ${out}\n`,
  );
  return EXIT.ok;
}

export const captureCommand: CtlCommand = {
  name: "capture",
  summary: "record what the service reads (serial bytes, PPS edges) for replay elsewhere",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCtlOptions(args, io);
    if (!parsed.ok) {
      io.err(`stratum1ctl capture: ${parsed.message}\n`);
      return parsed.exit;
    }
    const { config: cfg, statusPath, rest } = parsed.value;
    const own = parseCtlArgs(rest, { out: { type: "string" }, seconds: { type: "string" }, socket: { type: "string" }, note: { type: "string" } }, USAGE, io);
    if (!own) return EXIT.usage;
    const { out, note } = own.values;
    const seconds = Number(own.values.seconds ?? "60");
    if (!out || own.positionals.length > 0 || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      io.err(`${USAGE}\n`);
      return EXIT.usage;
    }
    const socketPath = own.values.socket ?? cfg["capture.socket"];
    if (!socketPath) {
      io.err("stratum1ctl capture: capture.socket is off in the config; set it (stratum1ctl config set capture.socket=/run/stratum1/capture.sock) and restart stratum1d\n");
      return EXIT.config;
    }
    const snap = statusPath ? await readSnapshot(statusPath, nowUs(io)) : undefined;
    const status = snap?.ok ? snap.snapshot : undefined;
    const header: CaptureHeader = {
      date: new Date().toISOString(),
      board: boardName(),
      host: hostname(),
      source: `recorded by stratum1ctl capture (${seconds} s)`,
      receiver: receiverName(status),
      "host-clock": hostClock(status),
      ...(note ? { note } : {}),
    };
    return recordCapture(socketPath, out, seconds, header, io);
  },
};
