/*
 * The sd_notify protocol, spoken directly: one datagram per message to the
 * unix socket named by $NOTIFY_SOCKET ("@name" is the abstract namespace).
 * READY=1 once the service is up, STATUS= for `systemctl status`, and
 * WATCHDOG=1 from the service's own once-a-second tick: if the event loop
 * hangs, the tick stops, the pings stop, and systemd restarts the service
 * after WatchdogSec. Without $NOTIFY_SOCKET (not under systemd) it is absent.
 */
import type { ServiceManager } from "../serviceManager.js";
import { errnoName, native } from "./native.js";

export function systemdNotifier(env: NodeJS.ProcessEnv = process.env, onError: (message: string) => void = () => undefined): ServiceManager | undefined {
  const path = env.NOTIFY_SOCKET;
  if (!path) return undefined;
  const calls = native();
  const fd = calls.dgramOpen();
  if (fd < 0) {
    onError(`cannot create a socket for sd_notify: ${errnoName(fd)}`);
    return undefined;
  }
  let failed = false;
  const send = (text: string): void => {
    const n = calls.dgramSendTo(fd, path, Buffer.from(text));
    if (n < 0 && !failed) onError(`sd_notify to ${path}: ${errnoName(n)}`);
    failed = n < 0;
  };
  // WATCHDOG_PID, when set, names the process systemd watches: a child must not feed it.
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  const watchdogMs = Number.isFinite(usec) && usec > 0 && forUs ? usec / 1000 : undefined;
  let lastStatus = "";
  return {
    watchdogMs,
    ready: (status) => {
      lastStatus = status;
      send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
    },
    status: (text) => {
      if (text === lastStatus) return;
      lastStatus = text;
      send(`STATUS=${text}`);
    },
    watchdog: () => {
      // Every tick rather than at half the interval: a tick is a second, and one datagram a second costs nothing.
      if (watchdogMs !== undefined) send("WATCHDOG=1");
    },
    stopping: () => send("STOPPING=1"),
  };
}
