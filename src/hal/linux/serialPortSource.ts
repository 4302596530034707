/*
 * The receiver's serial port through node-serialport. Receivers disappear:
 * a USB GPS is unplugged, a pty closes, a UART's driver is reloaded. The port
 * is reopened on its own with a growing back-off (1 s up to 10 s), and each
 * change of state is reported once, with what to check.
 * serialport does not always notice: a pty whose other side closed, or a
 * USB adapter that vanished, can leave an open fd that simply never reads.
 * So while open, the device path is checked every PRESENCE_CHECK_MS; if it
 * is gone or now names another device (re-enumerated USB, a new pty), the
 * port is closed and reopened.
 */
import { stat } from "node:fs/promises";
import { SerialPort } from "serialport";
import type { Clock } from "../clock.js";
import type { ByteSink, ByteSource, DeviceState } from "../byteSource.js";

const MAX_BACKOFF_MS = 10_000;
const PRESENCE_CHECK_MS = 2_000;

function explain(path: string, err: Error): DeviceState {
  const msg = err.message;
  if (/ENOENT|No such file/.test(msg)) return { state: "missing", detail: `${path} does not exist: is the receiver plugged in, and is serial.path right?` };
  if (/EACCES|Permission denied/.test(msg)) return { state: "error", detail: `${path}: permission denied: add the service user to the dialout group` };
  if (/EBUSY|Resource busy|Cannot lock/.test(msg)) return { state: "error", detail: `${path} is in use by another program (gpsd? a serial console on the UART?)` };
  return { state: "error", detail: `${path}: ${msg}` };
}

export class SerialPortSource implements ByteSource {
  private port: SerialPort | undefined;
  private sink: ByteSink | undefined;
  private stopped = false;
  private backoffMs = 1000;
  private cancelRetry: (() => void) | undefined;
  private cancelPresence: (() => void) | undefined;

  constructor(readonly path: string, private readonly baud: number, private readonly clock: Clock) {}

  start(sink: ByteSink): void {
    this.sink = sink;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry?.();
    this.cancelPresence?.();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private open(): void {
    if (this.stopped) return;
    this.sink!.device({ state: "opening", detail: `opening ${this.path} at ${this.baud} baud` });
    const port = new SerialPort({ path: this.path, baudRate: this.baud, autoOpen: false, hupcl: false });
    this.port = port;
    port.on("data", (chunk: Buffer) => {
      const rxUs = this.clock.realtimeUs();
      this.sink!.data(chunk, rxUs);
    });
    port.on("error", () => {
      // 'close' follows with the same cause; reporting it there keeps one line per event.
    });
    port.on("close", (err: Error | null) => {
      if (this.port !== port || this.stopped) return;
      this.sink!.device(err ? explain(this.path, err) : { state: "closed", detail: `${this.path} closed` });
      this.retry();
    });
    port.open((err) => {
      if (this.port !== port) return;
      if (err) {
        this.sink!.device(explain(this.path, err));
        this.retry();
        return;
      }
      this.backoffMs = 1000;
      this.sink!.device({ state: "open", detail: `${this.path} open at ${this.baud} baud` });
      this.watchPresence(port);
    });
  }

  private watchPresence(port: SerialPort): void {
    this.cancelPresence?.();
    let device: number | undefined;
    const check = (): void => {
      stat(this.path).then(
        (st) => {
          if (this.port !== port) return;
          if (device === undefined) device = st.rdev;
          else if (st.rdev !== device) this.lost(port, { state: "closed", detail: `${this.path} now names another device (receiver re-plugged)` });
        },
        (err: NodeJS.ErrnoException) => {
          if (this.port !== port) return;
          this.lost(port, err.code === "ENOENT" ? { state: "missing", detail: `${this.path} disappeared: receiver unplugged?` } : { state: "error", detail: `${this.path}: ${err.message}` });
        },
      );
    };
    check();
    this.cancelPresence = this.clock.every(PRESENCE_CHECK_MS, check);
  }

  private lost(port: SerialPort, state: DeviceState): void {
    if (this.port !== port) return;
    this.sink!.device(state);
    this.retry();
  }

  private retry(): void {
    this.cancelPresence?.();
    this.cancelPresence = undefined;
    if (this.stopped) return;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => undefined);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.cancelRetry = this.clock.after(wait, () => this.open());
  }
}
