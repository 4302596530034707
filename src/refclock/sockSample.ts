/*
 * chrony's refclock_sock.c datagram, native endian:
 *   struct sock_sample {
 *     struct timeval tv;   // time_t tv_sec; suseconds_t tv_usec
 *     double offset;       // true time − tv, seconds
 *     int pulse;           // 1: sample is a pulse (only the phase counts)
 *     int leap;            // 0 none, 1 insert, 2 delete
 *     int _pad;
 *     int magic;           // 0x534f434b "SOCK"
 *   };
 * 64-bit time_t: tv 0..15, offset 16, pulse 24, leap 28, _pad 32, magic 36 = 40 bytes.
 * 32-bit time_t (32-bit Pi OS): tv 0..7, offset 8, pulse 16, leap 20, _pad 24, magic 28 = 32 bytes.
 * chrony silently drops a datagram of any other size, so the layout is pinned
 * by a test against the C compiler's own offsetof (native/stratum1_native.c).
 */
import { endianness } from "node:os";
import type { Instant } from "../hal/instant.js";

export const SOCK_MAGIC = 0x534f434b;
/** chrony reads the struct in the host's own byte order. */
const LITTLE_ENDIAN = endianness() === "LE";

export interface SockLayout {
  size: number;
  offset: number;
  pulse: number;
  leap: number;
  pad: number;
  magic: number;
  timeTBytes: 4 | 8;
}

export function sockLayout(timeTBytes: 4 | 8): SockLayout {
  const tv = 2 * timeTBytes; // suseconds_t is long, the same width as time_t on Linux
  return { size: tv + 24, offset: tv, pulse: tv + 8, leap: tv + 12, pad: tv + 16, magic: tv + 20, timeTBytes };
}

export interface SockFields {
  sec: number;
  usec: number;
  offset: number;
  pulse: number;
  leap: number;
}

/** Packs into `into` when given (it must be layout.size bytes), else into a new buffer. */
export function packSockSample(f: SockFields, layout: SockLayout, into?: Buffer): Buffer {
  const littleEndian = LITTLE_ENDIAN;
  const buf = into ?? Buffer.alloc(layout.size);
  buf.fill(0);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (layout.timeTBytes === 8) {
    view.setBigInt64(0, BigInt(f.sec), littleEndian);
    view.setBigInt64(8, BigInt(f.usec), littleEndian);
  } else {
    view.setInt32(0, f.sec, littleEndian);
    view.setInt32(4, f.usec, littleEndian);
  }
  view.setFloat64(layout.offset, f.offset, littleEndian);
  view.setInt32(layout.pulse, f.pulse, littleEndian);
  view.setInt32(layout.leap, f.leap, littleEndian);
  view.setInt32(layout.magic, SOCK_MAGIC, littleEndian);
  return buf;
}

export function unpackSockSample(buf: Buffer, layout: SockLayout): SockFields & { magic: number } {
  const littleEndian = LITTLE_ENDIAN;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const eight = layout.timeTBytes === 8;
  return {
    sec: eight ? Number(view.getBigInt64(0, littleEndian)) : view.getInt32(0, littleEndian),
    usec: eight ? Number(view.getBigInt64(8, littleEndian)) : view.getInt32(4, littleEndian),
    offset: view.getFloat64(layout.offset, littleEndian),
    pulse: view.getInt32(layout.pulse, littleEndian),
    leap: view.getInt32(layout.leap, littleEndian),
    magic: view.getInt32(layout.magic, littleEndian),
  };
}

/** Cuts an instant to timeval fields; the caller keeps the nanoseconds below 1 µs in the offset. */
export function toTimeval(t: Instant): { sec: number; usec: number } {
  return { sec: t.sec, usec: Math.floor(t.nsec / 1000) };
}
