/*
 * chronyd's unix control socket (bindcmdaddress, /run/chrony/chronyd.sock
 * on Debian) as a CommandChannel. chronyd answers every command here, so
 * only the figures it refuses over UDP (serverstats, the client list)
 * should be read through it: see src/chrony/cmdmon/client.ts.
 *
 * chronyd sends its reply to the address the request came from, so the
 * client must bind a socket file of its own: like chronyc
 * ("<dir>/chronyc.<pid>.sock") it is put beside chronyd's socket, named
 * after this process ("<dir>/stratum1d.<pid>.sock"), and made mode 0666
 * (as chronyc makes its own), because chronyd runs as _chrony and must be
 * able to write to it; the directory (/run/chrony, 0770) is what keeps
 * others out. A file left by a crashed process of the same pid is removed
 * first. Node has no unix datagram sockets: the project's native addon
 * binds, sends, and watches the socket on the main loop.
 */
import { chmod, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { CommandChannel } from "../commandChannel.js";
import { errnoName, native, type ReaderHandle } from "./native.js";

/** Larger than any reply chronyd sends (520 bytes): a longer datagram would arrive cut, and be refused for its length. */
const RECEIVE_BUFFER = 2048;

class UnixCommandChannel implements CommandChannel {
  readonly name: string;
  private replyCb: (reply: Buffer) => void = () => undefined;
  private errorCb: (message: string) => void = () => undefined;
  private reader: ReaderHandle | undefined;
  private readonly into = Buffer.alloc(RECEIVE_BUFFER);
  /** The length and stamp of the one datagram each callback hands over (a read is a message: nothing is held). */
  private readonly reads = new Float64Array(2);
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly serverPath: string,
    private readonly localPath: string,
  ) {
    this.name = `unix ${serverPath}`;
    this.watch();
  }

  send(request: Buffer): void {
    if (this.closed) return;
    const n = native().dgramSendTo(this.fd, this.serverPath, request);
    if (n === request.length) return;
    const message = n < 0 ? this.describe(errnoName(n)) : `${this.name}: only ${n} of ${request.length} bytes sent`;
    queueMicrotask(() => this.errorCb(message));
  }

  onReply(cb: (reply: Buffer) => void): void {
    this.replyCb = cb;
  }

  onError(cb: (message: string) => void): void {
    this.errorCb = cb;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reader) native().readerStop(this.reader);
    native().fdClose(this.fd);
    void rm(this.localPath, { force: true }).catch(() => undefined);
  }

  private watch(): void {
    const handle = native().readerStart(this.fd, this.into, this.reads, (count) => {
      if (count > 0) return this.replyCb(Buffer.from(this.into.subarray(0, this.reads[0])));
      // On a datagram socket a read of 0 is an empty datagram, not an end: watch again once this watch has stopped.
      if (count === 0 && !this.closed) return void setImmediate(() => !this.closed && this.watch());
      if (!this.closed) this.errorCb(`${this.name}: reading replies from ${this.localPath} failed (${errnoName(count)})`);
    });
    if (typeof handle === "number") {
      queueMicrotask(() => this.errorCb(`${this.name}: cannot watch ${this.localPath} (${errnoName(handle)})`));
      return;
    }
    this.reader = handle;
  }

  private describe(code: string): string {
    switch (code) {
      case "ENOENT":
        return `no socket ${this.serverPath} (ENOENT): is chronyd running, with 'bindcmdaddress ${this.serverPath}' in chrony.conf?`;
      case "ECONNREFUSED":
        return `chronyd is not listening on ${this.serverPath} (ECONNREFUSED): stopped or restarting`;
      case "EACCES":
      case "EPERM":
        return `permission denied on ${this.serverPath} (${code}): let the service's group write it (chrony's stratum1 drop-in: group stratum1, mode 0660)`;
      default:
        return `${this.name}: cannot send (${code})`;
    }
  }
}

export interface UnixCommandChannelOptions {
  /** The client's own socket file (default: beside chronyd's, stratum1d.<pid>.sock). */
  localPath?: string;
}

/** Binds the reply socket and returns the channel; rejects, naming cause and fix, if the socket file cannot be made. */
export async function openUnixCommandChannel(serverPath: string, opts: UnixCommandChannelOptions = {}): Promise<CommandChannel> {
  const localPath = opts.localPath ?? join(dirname(serverPath), `stratum1d.${process.pid}.sock`);
  await rm(localPath, { force: true }).catch(() => undefined);
  let fd: number;
  try {
    fd = native().dgramBind(localPath);
  } catch (err) {
    throw new Error(`cannot bind the reply socket ${localPath}: ${(err as Error).message}`);
  }
  if (fd < 0) {
    const code = errnoName(fd);
    const fix = code === "EACCES" ? `the service user needs write access to ${dirname(localPath)} (chrony's stratum1 drop-in makes /run/chrony 0770 for group _chrony)` : "is the directory there?";
    throw new Error(`cannot create the reply socket ${localPath} for chronyd's answers (${code}): ${fix}`);
  }
  try {
    await chmod(localPath, 0o666);
  } catch (err) {
    native().fdClose(fd);
    await rm(localPath, { force: true }).catch(() => undefined);
    throw new Error(`cannot let chronyd write to ${localPath} (${(err as NodeJS.ErrnoException).code}): chronyd runs as _chrony and answers only to a socket it may write`);
  }
  return new UnixCommandChannel(fd, serverPath, localPath);
}
