import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The syscalls of native/stratum1_native.c; see that file for why each exists. */
export interface NativeCalls {
  realtimeNs(): bigint;
  realtimeUs(): number;
  dgramOpen(): number;
  dgramBind(path: string): number;
  dgramSendTo(fd: number, path: string, data: Buffer): number;
  dgramRecv(fd: number, into: Buffer): number;
  fdClose(fd: number): number;
  shmAttach(key: number, create: boolean): number;
  shmWrite(id: number, clockSec: number, clockNsec: number, recvSec: number, recvNsec: number, leap: number, precision: number): number;
  shmRead(id: number): ShmRecord;
  shmStat(id: number): number;
  shmRemove(id: number): number;
  layouts(): NativeLayouts;
  packSockSample(sec: number, usec: number, offset: number, pulse: number, leap: number): Buffer;
  /**
   * Watches a datagram fd on the main loop, reading into `into` (reused): onRead(1) for each read, its length and
   * CLOCK_REALTIME µs stamp at reads[0], reads[1], valid only during the call; onRead(-errno or 0) once at the end.
   */
  readerStart(fd: number, into: Buffer, reads: Float64Array, onRead: (countOrErrno: number) => void): ReaderHandle | number;
  readerStop(handle: ReaderHandle): number;
  /**
   * The receiver's port, read on a thread of the addon's own that blocks in poll(): the main loop wakes only for a
   * batch (one of its wake-ups costs about twice a plain thread's), and a stamp does not wait for JavaScript running
   * on it. onRead(count) on the main thread hands over `count` reads, their bytes back to back in `into` and read i's
   * length and CLOCK_REALTIME µs stamp at reads[2i], reads[2i+1], valid only during the call; onRead(-errno or 0)
   * once at the end. Reads are held until the line has been quiet for quietMs (takeOnly: until serialReaderTake), at most holdMs after the first of a
   * batch; after a read that ends a line the fd is not watched for quietMs, then read once (a nap): what came
   * meanwhile is one read, stamped then, so a burst wakes the reader a few times rather than once per sentence.
   */
  serialReaderStart(fd: number, into: Buffer, reads: Float64Array, holdMs: number, quietMs: number, takeOnly: boolean, onRead: (countOrErrno: number) => void): SerialReaderHandle | number;
  /** Ends the thread before returning: the fd may be closed then. Held reads are dropped. */
  serialReaderStop(handle: SerialReaderHandle): number;
  /**
   * The hold and the quiet gap from the thread's next wait on. takeOnly: reads are handed over when serialReaderTake
   * asks (or the hold is up, or the room is full), not when the line goes quiet.
   */
  serialReaderTiming(handle: SerialReaderHandle, holdMs: number, quietMs: number, takeOnly: boolean): number;
  /** Every read held so far, to onRead before this returns. */
  serialReaderTake(handle: SerialReaderHandle): number;
  /** A serial port opened raw, 8N1, no flow control, flock-ed, at a standard rate: its fd (non-blocking) or -errno (EINVAL: no such rate, EBUSY: locked). */
  ttyOpen(path: string, baud: number): number;
  ttySetBaud(fd: number, baud: number): number;
  /** Writes every byte and, with drain, waits until they have left the UART (on the thread pool): 0 or -errno. */
  ttyWrite(fd: number, bytes: Buffer, drain: boolean): Promise<number>;
  /** An I2C bus (/dev/i2c-N): the fd or -errno (ENOTTY: not an I2C bus). */
  i2cOpen(path: string): number;
  /** gnss/lineRun.ts's LineRun, in C: the framer's copy of a sentence's plain bytes and their XOR. Throws RangeError on bounds outside either buffer. */
  lineRun(src: Buffer, from: number, to: number, dst: Buffer, at: number): number;
  /** One write of `bytes` to a 7-bit address on the thread pool: 0 or -errno (ENXIO/EREMOTEIO: nothing answered). */
  i2cWrite(fd: number, address: number, bytes: Buffer): Promise<number>;
}

/** Opaque handle of a native reader. */
export interface ReaderHandle {
  readonly __reader: unique symbol;
}

/** Opaque handle of a native serial reader (its thread). */
export interface SerialReaderHandle {
  readonly __serialReader: unique symbol;
}

export interface ShmRecord {
  mode: number;
  count: number;
  valid: number;
  consistent: number;
  clockSec: number;
  clockNsec: number;
  receiveSec: number;
  receiveNsec: number;
  leap: number;
  precision: number;
}

export interface NativeLayouts {
  timeT: number;
  sockSampleSize: number;
  sockOffsetOffset: number;
  sockPulseOffset: number;
  sockLeapOffset: number;
  sockMagicOffset: number;
  shmTimeSize: number;
}

const ADDON = "native/build/Release/stratum1_native.node";
let loaded: NativeCalls | undefined;

/** Loads the addon once; a missing build is a startup error with the fix in it. */
export function native(): NativeCalls {
  if (loaded) return loaded;
  // The package root's native/build, looked for upwards from this code: dist/src/hal/linux/ in the
  // repository, dist/src/cli/ in the packed service (packaging/pack.mjs), under /opt/stratum1 alike.
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const addon = join(dir, ADDON);
    if (existsSync(addon)) {
      try {
        loaded = createRequire(import.meta.url)(addon) as NativeCalls;
        return loaded;
      } catch (err) {
        throw new Error(`native addon ${addon} does not load (${(err as Error).message.split("\n")[0]}); fix: run "npm run build"`);
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`native addon not built (no ${ADDON} in ${here} or above); fix: run "npm run build"`);
}

/** errno names for the negative returns of the addon. */
export function errnoName(negErrno: number): string {
  const names: Record<number, string> = {
    1: "EPERM",
    2: "ENOENT",
    5: "EIO",
    6: "ENXIO",
    9: "EBADF",
    19: "ENODEV",
    11: "EAGAIN",
    13: "EACCES",
    17: "EEXIST",
    22: "EINVAL",
    98: "EADDRINUSE",
    105: "ENOBUFS",
    107: "ENOTCONN",
    111: "ECONNREFUSED",
    28: "ENOSPC",
    16: "EBUSY",
    25: "ENOTTY",
    110: "ETIMEDOUT",
    121: "EREMOTEIO",
    125: "ECANCELED",
  };
  const code = -negErrno;
  return names[code] ?? `errno ${code}`;
}

/** CLOCK_REALTIME now, to the nanosecond. */
export function realtimeInstant(): { sec: number; nsec: number } {
  const ns = native().realtimeNs();
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}
