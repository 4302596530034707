/* Unix datagrams through the native addon: one unbound socket, sendto() per datagram (chrony SOCK refclocks). */
import type { DatagramPort } from "../datagramPort.js";
import { errnoName, native } from "./native.js";

export function unixDatagramPort(): DatagramPort {
  const calls = native();
  const fd = calls.dgramOpen();
  if (fd < 0) throw new Error(`cannot create a unix datagram socket: ${errnoName(fd)}`);
  return {
    sendTo(path, datagram) {
      const n = calls.dgramSendTo(fd, path, datagram);
      if (n === datagram.length) return null;
      return n < 0 ? errnoName(n) : `short-write-${n}`;
    },
    close: () => void calls.fdClose(fd),
  };
}
