/**
 * One datagram conversation with chronyd's command socket, bytes only: what
 * goes out is a whole request packet, what comes in a whole reply. The
 * client (src/chrony/cmdmon/client.ts) does sequence matching, timeouts and
 * retransmission with the injected Clock, so an implementation holds no
 * timers and knows nothing of the protocol.
 *
 * Implementations: UDP to chronyd's command port (src/hal/linux/
 * udpCommandChannel.ts: monitoring requests only), chronyd's unix control
 * socket (src/hal/linux/unixCommandChannel.ts: every request), and the fake
 * chronyd for tests (sim/fakes/fakeChronyd.ts).
 */
export interface CommandChannel {
  /** Where the requests go, for messages: "udp 127.0.0.1:323", "unix /run/chrony/chronyd.sock". */
  readonly name: string;
  /**
   * Sends one request datagram. Never throws for a failure to deliver
   * (nobody listening, permission denied): that is reported through onError,
   * and never from inside send() itself, so a caller can arm its timer after.
   */
  send(request: Buffer): void;
  /** Sets the one receiver of incoming datagrams (a later call replaces it); the buffer is the receiver's to keep. */
  onReply(cb: (reply: Buffer) => void): void;
  /** Sets the one receiver of transport failures, each one sentence naming cause and fix. */
  onError(cb: (message: string) => void): void;
  /** Releases the socket (and a bound socket file). Idempotent. */
  close(): void;
}
