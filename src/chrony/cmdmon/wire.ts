/*
 * The primitive types of chrony's command protocol (candm.h, util.c), all in
 * network byte order. chrony defines its own encodings so that a 32-bit
 * chronyc can talk to a 64-bit chronyd and neither depends on the C
 * compiler's float or time_t layout:
 *
 * Float (4 bytes): a 7-bit signed exponent above a 25-bit signed coefficient
 * without hidden bit; value = coef * 2^(exp - 25).
 *    31          25 24                                      0
 *   +--------------+-----------------------------------------+
 *   |  exp (7, 2c) |             coef (25, two's complement) |
 *   +--------------+-----------------------------------------+
 *   About 7 significant digits: an offset of 12.345678901 µs comes back as
 *   12.34567 µs. chronyc prints what it decodes, so decoding the same way
 *   gives chronyc's figures, to its printed precision.
 *
 * Timespec (12 bytes): seconds split in two words so 64-bit time survives a
 * 32-bit peer; a high word of 0x7fffffff ("TV_NOHIGHSEC") means "32-bit
 * sender", read as 0.
 *    0               4               8               12
 *   +---------------+---------------+---------------+
 *   | tv_sec_high   | tv_sec_low    | tv_nsec       |
 *   +---------------+---------------+---------------+
 *
 * IPAddr (20 bytes): an address, or for a source whose name is not resolved
 * yet an id, tagged with its family.
 *    0                               16      18      20
 *   +-------------------------------+-------+-------+
 *   | in4 (4, then zeros) / in6 (16) |family | _pad  |
 *   | / id (4, then zeros)           |       |       |
 *   +-------------------------------+-------+-------+
 *   family 0 unspec, 1 inet4, 2 inet6, 3 id. A refclock has no address:
 *   in a source report chronyd puts its refid in in4 (family inet4), in
 *   tracking and sourcestats it sends family unspec beside the refid.
 */
import type { Instant } from "../../hal/instant.js";

export type IpAddr =
  | { family: "unspec" }
  | { family: "inet4"; address: string }
  | { family: "inet6"; address: string }
  /** A source whose name chronyd has not resolved yet (chronyc lists it only with -a). */
  | { family: "id"; id: number };

export const IPADDR_LENGTH = 20;
export const TIMESPEC_LENGTH = 12;

const FLOAT_EXP_BITS = 7;
const FLOAT_COEF_BITS = 32 - FLOAT_EXP_BITS;
const FLOAT_EXP_MIN = -(1 << (FLOAT_EXP_BITS - 1));
const FLOAT_EXP_MAX = -FLOAT_EXP_MIN - 1;
const FLOAT_COEF_MAX = (1 << (FLOAT_COEF_BITS - 1)) - 1;

/** UTI_FloatNetworkToHost: the 32-bit word as chronyd sent it. */
export function floatFromWire(word: number): number {
  const x = word >>> 0;
  let exp = x >>> FLOAT_COEF_BITS;
  if (exp >= 1 << (FLOAT_EXP_BITS - 1)) exp -= 1 << FLOAT_EXP_BITS;
  exp -= FLOAT_COEF_BITS;
  let coef = x % 2 ** FLOAT_COEF_BITS;
  if (coef >= 2 ** (FLOAT_COEF_BITS - 1)) coef -= 2 ** FLOAT_COEF_BITS;
  return coef * 2 ** exp;
}

/** UTI_FloatHostToNetwork, step for step (NaN is sent as 0, like chronyd does), for the fake chronyd. */
export function floatToWire(value: number): number {
  let x = value;
  let neg = 0;
  if (x < 0) {
    x = -x;
    neg = 1;
  } else if (!(x >= 0)) {
    x = 0;
  }
  let exp: number;
  let coef: number;
  if (x < 1e-100) {
    exp = coef = 0;
  } else if (x > 1e100) {
    exp = FLOAT_EXP_MAX;
    coef = FLOAT_COEF_MAX + neg;
  } else {
    exp = Math.trunc(Math.log(x) / Math.log(2) + 1);
    coef = Math.trunc(x * 2 ** (-exp + FLOAT_COEF_BITS) + 0.5);
    while (coef > FLOAT_COEF_MAX + neg) {
      coef >>>= 1;
      exp++;
    }
    if (exp > FLOAT_EXP_MAX) {
      exp = FLOAT_EXP_MAX;
      coef = FLOAT_COEF_MAX + neg;
    } else if (exp < FLOAT_EXP_MIN) {
      if (exp + FLOAT_COEF_BITS >= FLOAT_EXP_MIN) {
        coef >>>= FLOAT_EXP_MIN - exp;
        exp = FLOAT_EXP_MIN;
      } else {
        exp = coef = 0;
      }
    }
  }
  if (neg) coef = ((-coef << FLOAT_EXP_BITS) >>> FLOAT_EXP_BITS) >>> 0;
  return ((exp << FLOAT_COEF_BITS) | coef) >>> 0;
}

export const readFloat = (buf: Buffer, at: number): number => floatFromWire(buf.readUInt32BE(at));
export const writeFloat = (buf: Buffer, at: number, value: number): void => void buf.writeUInt32BE(floatToWire(value), at);

const TV_NOHIGHSEC = 0x7fffffff;

export function readTimespec(buf: Buffer, at: number): Instant {
  const high = buf.readUInt32BE(at);
  const low = buf.readUInt32BE(at + 4);
  return { sec: (high === TV_NOHIGHSEC ? 0 : high) * 2 ** 32 + low, nsec: Math.min(buf.readUInt32BE(at + 8), 999_999_999) };
}

export function writeTimespec(buf: Buffer, at: number, t: Instant): void {
  buf.writeUInt32BE(Math.floor(t.sec / 2 ** 32) >>> 0, at);
  buf.writeUInt32BE((t.sec % 2 ** 32) >>> 0, at + 4);
  buf.writeUInt32BE(t.nsec, at + 8);
}

const FAMILY = { unspec: 0, inet4: 1, inet6: 2, id: 3 } as const;

export function readIpAddr(buf: Buffer, at: number): IpAddr {
  switch (buf.readUInt16BE(at + 16)) {
    case FAMILY.inet4:
      return { family: "inet4", address: ipv4ToString(buf.readUInt32BE(at)) };
    case FAMILY.inet6:
      return { family: "inet6", address: ipv6ToString(buf.subarray(at, at + 16)) };
    case FAMILY.id:
      return { family: "id", id: buf.readUInt32BE(at) };
    default:
      // UTI_IPNetworkToHost: any other family is unspec.
      return { family: "unspec" };
  }
}

export function writeIpAddr(buf: Buffer, at: number, ip: IpAddr): void {
  buf.fill(0, at, at + IPADDR_LENGTH);
  buf.writeUInt16BE(FAMILY[ip.family], at + 16);
  if (ip.family === "inet4") buf.writeUInt32BE(ipv4FromString(ip.address), at);
  else if (ip.family === "inet6") ipv6FromString(ip.address).copy(buf, at);
  else if (ip.family === "id") buf.writeUInt32BE(ip.id, at);
}

export const ipv4ToString = (in4: number): string => [24, 16, 8, 0].map((s) => (in4 >>> s) & 0xff).join(".");

export function ipv4FromString(text: string): number {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** inet_ntop(AF_INET6) as glibc writes it, which is what chronyc prints: the longest run of two or more zero groups as "::", IPv4-mapped and -compatible tails dotted. */
export function ipv6ToString(bytes: Buffer): string {
  const words = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = { ...cur };
    } else {
      cur = { base: -1, len: 0 };
    }
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ":";
  return out;
}

export function ipv6FromString(text: string): Buffer {
  const out = Buffer.alloc(16);
  let body = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4FromString(dotted[2]!);
    tail.push(v4 >>> 16, v4 & 0xffff);
    body = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = body.split("::");
  if (halves.length > 2) throw new RangeError(`not an IPv6 address: ${JSON.stringify(text)}`);
  const groups = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length - tail.length;
  if ((halves.length === 2 ? fill < 1 : fill !== 0) || [...head, ...rest].some(Number.isNaN)) throw new RangeError(`not an IPv6 address: ${JSON.stringify(text)}`);
  for (const [i, w] of [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest, ...tail].entries()) out.writeUInt16BE(w, i * 2);
  return out;
}

/** UTI_RefidToString: the refid's printable bytes ("PPS", "NMEA"); others are left out. */
export function refidToString(refId: number): string {
  let out = "";
  for (let i = 0; i < 4; i++) {
    const c = (refId >>> (24 - i * 8)) & 0xff;
    if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c);
  }
  return out;
}

/** A refid from its name, as chrony.conf's 'refid PPS' makes it (up to 4 characters, zero-padded). */
export function refidFromString(name: string): number {
  let id = 0;
  for (let i = 0; i < 4; i++) id = (id << 8) | (name.charCodeAt(i) & 0xff || 0);
  return id >>> 0;
}

/** chronyc's %08X: the refid in hex, as `chronyc -c tracking` prints it first. */
export const refidToHex = (refId: number): string => refId.toString(16).toUpperCase().padStart(8, "0");
