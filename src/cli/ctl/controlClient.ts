/*
 * stratum1ctl's side of control.socket: one request, one reply, and what to
 * do when the service cannot be reached (not running, or not root).
 */
import { connect } from "node:net";
import { type ControlReply, type ControlRequestName, formatRequest, MAX_REPLY_BYTES, parseReply } from "../../control/controlProtocol.js";

/** Reading back a legacy u-blox polls a dozen messages at up to 2 s each; this is well past that. */
const REPLY_WAIT_MS = 120_000;

/** absent: no service listening; denied: not root; other: it answered nonsense, or not in time. */
export type FailureCause = "absent" | "denied" | "other";

export type Asked = { ok: true; reply: ControlReply } | { ok: false; message: string; cause: FailureCause };

export function askService(path: string, request: ControlRequestName, waitMs = REPLY_WAIT_MS): Promise<Asked> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (r: Asked): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const fail = (message: string, cause: FailureCause = "other"): void => done({ ok: false, message, cause });
    const socket = connect(path);
    const timer = setTimeout(() => fail(`${path}: no reply from stratum1d within ${waitMs / 1000} s (see journalctl -u stratum1d)`), waitMs);
    socket.on("connect", () => socket.write(formatRequest(request)));
    socket.on("data", (d: Buffer) => {
      size += d.length;
      if (size > MAX_REPLY_BYTES) fail(`${path}: the reply is longer than ${MAX_REPLY_BYTES} bytes: not stratum1d's control socket?`);
      else chunks.push(d);
    });
    socket.on("end", () => {
      const parsed = parseReply(Buffer.concat(chunks).toString("utf8"));
      if (parsed.ok) done({ ok: true, reply: parsed.value });
      else fail(`${path}: ${parsed.error}`);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "ECONNREFUSED")
        fail(`no control socket at ${path}: is stratum1d running (systemctl status stratum1d), with control.socket set (stratum1ctl config set control.socket=/run/stratum1/control.sock)?`, "absent");
      else if (err.code === "EACCES" || err.code === "EPERM") fail(`${path}: permission denied: the control socket is for root only; run it with sudo`, "denied");
      else fail(`${path}: ${err.message}`);
    });
  });
}
