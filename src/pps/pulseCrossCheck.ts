/*
 * With both the kernel PPS device and a GPIO watch on the same pulse, each
 * kernel edge should have a GPIO partner a little later (the event loop's
 * latency). Edges without a partner mean one path misses or invents pulses:
 * counted, and the disagreement logged when it starts and when it ends. The
 * partner's lateness is the measured cost of user-space stamping.
 */
import type { Logger } from "../log/logger.js";
import { diffS, instantToUs, type Instant } from "../hal/instant.js";
import type { CrossCheckStatus } from "../status/contract.js";

/** A GPIO stamp this far after (or slightly before) a kernel stamp is the same edge. */
const PAIR_WINDOW_S = 0.05;
const EXPIRE_US = 1_000_000;
const QUIET_BEFORE_AGREE_US = 10_000_000;
/** Lateness figures describe the recent past (about a minute), not the whole uptime. */
const LATE_WINDOW = 64;

export class PulseCrossCheck {
  private kernel: Instant[] = [];
  private gpio: Instant[] = [];
  private readonly st: CrossCheckStatus = { paired: 0, kernelOnly: 0, gpioOnly: 0, gpioLateMeanUs: null, gpioLateJitterUs: null, agree: true };
  private late: number[] = [];
  private lastMismatchUs = 0;

  constructor(private readonly log: Logger) {}

  kernelEdge(at: Instant): void {
    this.kernel.push(at);
    this.match();
  }

  gpioEdge(at: Instant): void {
    this.gpio.push(at);
    this.match();
  }

  /** Expires unpaired edges older than a second (call on a timer). */
  sweep(nowUs: number): void {
    const old = (t: Instant) => nowUs - instantToUs(t) > EXPIRE_US;
    const k = this.kernel.filter(old).length;
    const g = this.gpio.filter(old).length;
    this.kernel = this.kernel.filter((t) => !old(t));
    this.gpio = this.gpio.filter((t) => !old(t));
    if (k + g > 0) {
      this.st.kernelOnly += k;
      this.st.gpioOnly += g;
      this.lastMismatchUs = nowUs;
      if (this.st.agree) {
        this.st.agree = false;
        this.log.warn(
          `pps: the kernel and GPIO pulse paths disagree: ${k ? `${k} kernel edge(s) without a GPIO partner` : ""}${k && g ? ", " : ""}${g ? `${g} GPIO edge(s) without a kernel partner` : ""}: a missed interrupt, noise on the line, or the two watch different pins`,
        );
      }
    } else if (!this.st.agree && nowUs - this.lastMismatchUs > QUIET_BEFORE_AGREE_US) {
      this.st.agree = true;
      this.log.info("pps: kernel and GPIO pulse paths agree again");
    }
  }

  status(): CrossCheckStatus {
    const n = this.late.length;
    if (n > 0) {
      const mean = this.late.reduce((a, b) => a + b, 0) / n;
      this.st.gpioLateMeanUs = mean * 1e6;
      this.st.gpioLateJitterUs = Math.sqrt(this.late.reduce((a, b) => a + (b - mean) ** 2, 0) / n) * 1e6;
    }
    return { ...this.st };
  }

  private match(): void {
    for (let i = 0; i < this.kernel.length; i++) {
      const k = this.kernel[i]!;
      const j = this.gpio.findIndex((g) => Math.abs(diffS(g, k)) < PAIR_WINDOW_S);
      if (j < 0) continue;
      this.late.push(diffS(this.gpio[j]!, k));
      if (this.late.length > LATE_WINDOW) this.late.shift();
      this.st.paired += 1;
      this.kernel.splice(i, 1);
      this.gpio.splice(j, 1);
      i -= 1;
    }
  }
}
