/*
 * chronyd's UDP command port (cmdport, 323 by default) as a CommandChannel.
 * Over UDP chronyd answers monitoring requests only (tracking, sources,
 * sourcestats, activity), so a service holding this channel can read chrony
 * but never change it. The socket is connected to chronyd's address: the
 * kernel then passes up only datagrams from that address and port, and an
 * ICMP "port unreachable" (chronyd not running, or 'cmdport 0') comes back as
 * ECONNREFUSED, so a missing chronyd is reported at once instead of after
 * the client's 7 s of resends.
 */
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { CommandChannel } from "../commandChannel.js";

export const DEFAULT_CMDPORT = 323;

class UdpCommandChannel implements CommandChannel {
  private replyCb: (reply: Buffer) => void = () => undefined;
  private errorCb: (message: string) => void = () => undefined;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly name: string,
  ) {
    socket.on("message", (msg) => this.replyCb(msg));
    socket.on("error", (err) => this.errorCb(this.describe(err)));
  }

  send(request: Buffer): void {
    if (this.closed) return;
    // The callback runs after send() has returned, as the interface promises.
    this.socket.send(request, (err) => {
      if (err) this.errorCb(this.describe(err));
    });
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
    this.socket.close();
  }

  private describe(err: Error): string {
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    if (code === "ECONNREFUSED") {
      return `nothing answers on ${this.name} (ECONNREFUSED): is chronyd running (systemctl status chrony), with its command port open ('cmdport ${this.name.split(":").pop()}' in chrony.conf, which stratum1ctl chrony-config writes while chrony.monitor is set)?`;
    }
    return `${this.name}: ${code}`;
  }
}

/** Opens a UDP socket connected to chronyd's command port (127.0.0.1 or ::1: chronyd answers loopback without a 'cmdallow'). */
export function openUdpCommandChannel(host = "127.0.0.1", port = DEFAULT_CMDPORT): Promise<CommandChannel> {
  const name = `udp ${isIPv6(host) ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
    const failed = (err: Error): void => {
      socket.close();
      reject(new Error(`cannot open a UDP socket to chronyd's command port ${name} (${(err as NodeJS.ErrnoException).code ?? err.message}): is the address right (chrony.monitor)?`));
    };
    socket.once("error", failed);
    socket.connect(port, host, () => {
      socket.off("error", failed);
      resolve(new UdpCommandChannel(socket, name));
    });
  });
}
