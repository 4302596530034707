/*
 * Exit codes of stratum1d and stratum1ctl, named once. The status verdicts
 * follow the monitoring-plugin convention (0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN) so `stratum1ctl status` drops into Nagios, Icinga or a
 * Prometheus textfile check as it is; the rest are sysexits.h's, so a usage
 * error is never mistaken for "not running".
 */
export const EXIT = {
  /** Done; or, for status: serving good time. */
  ok: 0,
  /** status: degraded (an alarm, holdover, chrony not on the pulse yet). Other commands: the operation failed. */
  degraded: 1,
  failed: 1,
  /** status: the service is not running, or hung. */
  notRunning: 2,
  /** status: cannot tell (the config or snapshot could not be read). */
  unknown: 3,
  /** EX_USAGE: a bad flag or argument. */
  usage: 64,
  /** EX_SOFTWARE: an internal error. */
  software: 70,
  /** EX_CONFIG: the configuration is invalid (systemd does not restart on it). */
  config: 78,
} as const;
