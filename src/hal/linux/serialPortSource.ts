/*
 * The receiver's serial port through node-serialport. Receivers disappear:
 * a USB GPS is unplugged, a pty closes, a UART's driver is reloaded. The port
 * is reopened on its own with a growing back-off (1 s up to 10 s), and each
 * change of state is reported once, with what to check.
 */
import { SerialPort } from "serialport";
import type { Clock } from "../clock.js";
import type { ByteSink, ByteSource, DeviceState } from "../byteSource.js";

const MAX_BACKOFF_MS = 10_000;

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

  constructor(readonly path: string, private readonly baud: number, private readonly clock: Clock) {}

  start(sink: ByteSink): void {
    this.sink = sink;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry?.();
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
    });
  }

  private retry(): void {
    if (this.stopped) return;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => undefined);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.cancelRetry = this.clock.after(wait, () => this.open());
  }
}
