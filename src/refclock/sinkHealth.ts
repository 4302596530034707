/*
 * A sink's delivery record: counts, the last success, and whether it is
 * failing and why. Each change (working, failing for a new reason, working
 * again) is one call to `changed`, so a sink logs state changes, not a line
 * per failed second.
 */
import type { SinkStatus } from "../status/contract.js";

export class SinkHealth {
  private st: SinkStatus = { state: "not-sent-yet", reason: null, delivered: 0, failed: 0 };

  /** now: the previous state and reason; reason null when it now works. */
  constructor(private readonly changed: (reason: string | null, before: SinkStatus) => void) {}

  delivered(atUs: number): void {
    this.st.delivered += 1;
    this.st.lastDeliveredUs = atUs;
    if (this.st.state === "ok") return;
    const before = { ...this.st };
    this.st.state = "ok";
    this.st.reason = null;
    this.changed(null, before);
  }

  failed(reason: string): void {
    this.st.failed += 1;
    if (this.st.state === "failing" && this.st.reason === reason) return;
    const before = { ...this.st };
    this.st.state = "failing";
    this.st.reason = reason;
    this.changed(reason, before);
  }

  status(): SinkStatus {
    return { ...this.st };
  }
}
