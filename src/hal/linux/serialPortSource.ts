/*
 * The receiver's serial port, through the addon: opened raw, 8N1, at the baud
 * rate, no flow control, with an exclusive lock so a second reader cannot
 * take half the bytes; read on the addon's own thread, each read() stamped the
 * moment it returns, whatever JavaScript is doing on the main loop meanwhile.
 * node-serialport's stream read on the libuv thread pool, and the hand-offs
 * put ~0.15 ms of delay and jitter between the bytes' arrival and any stamp
 * JavaScript could take (measured by `npm run bench`); its binding
 * layer, used for opening and writing until the footprint work of issue 15,
 * cost 4 MB of memory for a few termios calls.
 *
 * Receivers disappear: a USB GPS is unplugged, a pty closes, a UART's driver
 * is reloaded. The port is reopened on its own with a growing back-off (1 s up
 * to 10 s), and each change of state is reported once, with what to check.
 * A vanished device does not always make read() fail (a pty whose peer
 * closed may simply go quiet), so while open the device path is also checked
 * every PRESENCE_CHECK_MS: gone, or now another device, means reopen.
 *
 * The same port is the box's way to talk to the receiver (ReceiverLink):
 * receiver control writes its commands and changes the rate here; a reopen
 * keeps the rate last set, since the receiver kept it too.
 */
import { type Stats, statSync } from "node:fs";
import type { Clock } from "../clock.js";
import type { ByteSink, ByteSource, DeviceState } from "../byteSource.js";
import type { ReceiverLink } from "../receiverLink.js";
import { errnoName, native, type SerialReaderHandle } from "./native.js";

const MAX_BACKOFF_MS = 10_000;
/**
 * Reads are handed to JavaScript together, once the line has been quiet for
 * readQuietMs (the receiver's burst is over) and at most a hold after the
 * first: a burst comes in a dozen reads or more (one per sentence or per UART
 * FIFO), and each entry into JavaScript costs a small box more than the
 * sentence's own handling. Each read keeps its own stamp, so the time the
 * samples carry is unchanged. The hold is the composition's to choose
 * (holdFor, pipeline/readHold.ts says why and how long), and so is whether the
 * reads wait for it to take them (takeHeld) instead; until it does, its
 * short one (a unit test keeps the two equal; hal imports nothing of the domain).
 */
export const READ_HOLD_MS = 600;
/**
 * The line is quiet after this long without a read: longer than any gap inside a burst, which is
 * at most one sentence's time on the wire (a UART delivers a sentence as it comes, byte by byte,
 * but a receiver on USB or a pty relay hands it over whole: 100 bytes take 104 ms at 9600 baud),
 * shorter than the gap between bursts. Never under READ_QUIET_MS.
 *
 * It is also the reader's nap: after a read that ends a line, the port is read again only this
 * much later, and what came meanwhile is one read with one stamp (up to this late). A wake-up costs
 * more than a sentence's handling (~45 µs on the reader's thread, ~110 on the main loop, on this
 * project's machine with the reader alone on a pty); the sentence that opens a burst, whose
 * stamp is the epoch's, still comes to a watched port when the line has been quiet for two of
 * these gaps before it (the last nap can start up to one gap after the bytes it finds): 210 ms at
 * 9600 baud, 50 ms at 115200. A 9600-baud receiver busy for more than ~790 ms of every second can
 * have its epochs stamped up to 105 ms late: receiver control moves the receiver to
 * serial.target-baud (115200 by default) and says when a second's output is too long for its rate.
 */
export function readQuietMs(baud: number): number {
  return Math.max(READ_QUIET_MS, Math.ceil((100 * 10 * 1000) / baud) + 1);
}
export const READ_QUIET_MS = 25;
/** A held batch is handed over early when this many reads are waiting (a flood of short reads), or its buffer is full. */
const MAX_HELD_READS = 256;
const PRESENCE_CHECK_MS = 2_000;

function explain(path: string, baud: number, errno: number): DeviceState {
  const code = errnoName(errno);
  switch (code) {
    case "ENOENT":
    case "ENODEV":
      return { state: "missing", detail: `${path} does not exist: is the receiver plugged in, and is serial.path right?` };
    case "EACCES":
    case "EPERM":
      return { state: "error", detail: `${path}: permission denied: add the service user to the dialout group` };
    case "EBUSY":
      return { state: "error", detail: `${path} is in use by another program (gpsd? a serial console on the UART?)` };
    case "ENOTTY":
      return { state: "error", detail: `${path} is not a serial port: set serial.path to the receiver's device (/dev/serial0, /dev/ttyACM0)` };
    case "EINVAL":
      return { state: "error", detail: `${path}: cannot set ${baud} baud: give a standard rate (4800 to 921600) in serial.baud` };
    default:
      return { state: "error", detail: `${path}: cannot open (${code})` };
  }
}

interface OpenPort {
  fd: number;
  reader: SerialReaderHandle;
}

export class SerialPortSource implements ByteSource, ReceiverLink {
  private port: OpenPort | undefined;
  private sink: ByteSink | undefined;
  private stopped = false;
  private backoffMs = 1000;
  private generation = 0;
  private cancelRetry: (() => void) | undefined;
  private cancelPresence: (() => void) | undefined;
  /** One read buffer for the life of the source: 115200 baud fills 4 kB in 0.36 s, longer than reads are held. */
  private readonly readBuffer = Buffer.alloc(8192);
  /** Each held read's length and stamp. */
  private readonly reads = new Float64Array(2 * MAX_HELD_READS);
  private holdMs = READ_HOLD_MS;
  private takenAtTick = false;

  constructor(
    readonly path: string,
    public baud: number,
    private readonly clock: Clock,
  ) {}

  async write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port) throw new Error(`${this.path} is not open`);
    // Resolved once the bytes have left the UART, so a rate change after them does not cut them off.
    const rc = await native().ttyWrite(port.fd, bytes, true);
    if (rc < 0) throw new Error(`${this.path}: write failed (${errnoName(rc)})`);
  }

  async setBaud(baud: number): Promise<void> {
    this.baud = baud;
    const port = this.port;
    if (!port) return;
    const rc = native().ttySetBaud(port.fd, baud);
    if (rc < 0) throw new Error(`${this.path}: cannot set ${baud} baud (${errnoName(rc)})`);
    // The quiet gap (and the nap) is a sentence's time on the wire at the new rate.
    native().serialReaderTiming(port.reader, this.holdMs, readQuietMs(baud), this.takenAtTick);
  }

  holdFor(ms: number, takenAtTick = false): void {
    if (ms === this.holdMs && takenAtTick === this.takenAtTick) return;
    this.holdMs = ms;
    this.takenAtTick = takenAtTick;
    if (this.port) native().serialReaderTiming(this.port.reader, ms, readQuietMs(this.baud), takenAtTick);
  }

  takeHeld(): void {
    if (this.port) native().serialReaderTake(this.port.reader);
  }

  start(sink: ByteSink): void {
    this.sink = sink;
    void this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // The reader's last callback (EBADF as its fd closes) belongs to no open port any more: not an unplug.
    this.generation++;
    this.cancelRetry?.();
    this.cancelPresence?.();
    await this.closePort();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.sink!.device({ state: "opening", detail: `opening ${this.path} at ${this.baud} baud` });
    const fd = native().ttyOpen(this.path, this.baud);
    if (fd < 0) {
      this.sink!.device(explain(this.path, this.baud, fd));
      this.retry();
      return;
    }
    const reader = native().serialReaderStart(fd, this.readBuffer, this.reads, this.holdMs, readQuietMs(this.baud), this.takenAtTick, (count) => {
      if (gen !== this.generation) return;
      if (count <= 0) {
        this.lost({ state: "closed", detail: `${this.path} ${count === 0 ? "reached end of file" : `read failed (${errnoName(count)})`}: receiver unplugged?` });
        return;
      }
      this.sink!.batch?.(count);
      let at = 0;
      // The port was closed or reopened while the batch was handled (a stop, an unplug): the rest belong to no open port.
      for (let i = 0; i < count && gen === this.generation; i++) {
        const length = this.reads[2 * i]!;
        this.sink!.data(this.readBuffer.subarray(at, at + length), this.reads[2 * i + 1]!);
        at += length;
      }
    });
    if (typeof reader === "number") {
      native().fdClose(fd);
      this.sink!.device({ state: "error", detail: `${this.path}: cannot watch the port (${errnoName(reader)})` });
      this.retry();
      return;
    }
    this.port = { fd, reader };
    this.backoffMs = 1000;
    this.sink!.device({ state: "open", detail: `${this.path} open at ${this.baud} baud` });
    this.watchPresence(gen);
  }

  private watchPresence(gen: number): void {
    this.cancelPresence?.();
    let device: number | undefined;
    // Synchronous: a stat of a device node is a few microseconds, where the thread pool's round trip woke the service twice.
    const check = (): void => {
      if (gen !== this.generation) return;
      let st: Stats | undefined;
      try {
        st = statSync(this.path, { throwIfNoEntry: false });
      } catch (err) {
        this.lost({ state: "error", detail: `${this.path}: ${(err as Error).message}` });
        return;
      }
      if (!st) this.lost({ state: "missing", detail: `${this.path} disappeared: receiver unplugged?` });
      else if (device === undefined) device = st.rdev;
      else if (st.rdev !== device) this.lost({ state: "closed", detail: `${this.path} now names another device (receiver re-plugged)` });
    };
    check();
    this.cancelPresence = this.clock.every(PRESENCE_CHECK_MS, check);
  }

  private lost(state: DeviceState): void {
    this.generation++;
    this.sink!.device(state);
    this.retry();
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port) return;
    native().serialReaderStop(port.reader);
    native().fdClose(port.fd);
  }

  private retry(): void {
    this.cancelPresence?.();
    this.cancelPresence = undefined;
    void this.closePort();
    if (this.stopped) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.cancelRetry = this.clock.after(wait, () => void this.open());
  }
}
