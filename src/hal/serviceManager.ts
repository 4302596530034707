/** The service manager's side channel (systemd's sd_notify): readiness, a one-line status, watchdog pings, stopping. */
export interface ServiceManager {
  /** The watchdog period the manager expects pings within, ms; undefined when it watches none. */
  readonly watchdogMs: number | undefined;
  ready(status: string): void;
  status(text: string): void;
  watchdog(): void;
  stopping(): void;
}
