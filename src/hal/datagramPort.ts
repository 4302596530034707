/**
 * Unix datagrams out, as chrony's SOCK refclock wants them: one datagram per
 * sample, sent to the socket chronyd created. chronyd may not be running yet,
 * may have restarted (it recreates the socket) or may refuse us (its mode), so
 * a send reports why it failed instead of throwing; the sink turns that into a
 * state and one log line.
 */
export interface DatagramPort {
  /** Sends `datagram` to the unix socket at `path`: null when all of it went, else the reason (ENOENT, ECONNREFUSED, EACCES, short-write-N, …). */
  sendTo(path: string, datagram: Buffer): string | null;
  close(): void;
}
