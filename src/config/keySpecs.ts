/*
 * The kinds of value a configuration key takes, each with its check, the
 * words stratum1.conf(5) uses for it and the fix a bad value gets: the
 * schema (schema.ts) and the key tables of the parts that own keys
 * (fleet/fleetKeys.ts, gnss/control/gpsKeys.ts) are built from these.
 */
import { parsePinMap } from "../display/pcf8574Pins.js";

import { isIP } from "node:net";

export interface KeySpec<T> {
  doc: string;
  default: T;
  /** What the key accepts, in words, for stratum1.conf(5) (src/config/manPage.ts). */
  values?: string;
  parse(raw: string): { ok: true; value: T } | { ok: false; fix: string };
}

export const STANDARD_BAUDS = [4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/** A standard rate, or auto. */
export const baudOrAuto = (doc: string, def: number | "auto"): KeySpec<number | "auto"> => ({
  doc,
  default: def,
  values: `auto, or one of ${STANDARD_BAUDS.join(", ")}`,
  parse: (raw) => {
    if (raw === "auto") return { ok: true, value: "auto" };
    const n = Number(raw);
    return /^\d+$/.test(raw) && STANDARD_BAUDS.includes(n) ? { ok: true, value: n } : { ok: false, fix: `use auto or one of ${STANDARD_BAUDS.join(", ")}` };
  },
});

export const str = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "any non-empty text",
  parse: (raw) => (raw.length > 0 ? { ok: true, value: raw } : { ok: false, fix: "give a non-empty value" }),
});

/** An absolute path or off; no blanks, because chrony.conf takes paths as they are and splits its lines at them. */
export function parsePathOrOff(raw: string): ReturnType<KeySpec<string | null>["parse"]> {
  if (raw === "" || raw === "off" || raw === "none") return { ok: true, value: null };
  if (!raw.startsWith("/") || /\s/.test(raw)) return { ok: false, fix: "give an absolute path without blanks, or 'off'" };
  return { ok: true, value: raw };
}

export const optionalPath = (doc: string, def: string | null): KeySpec<string | null> => ({
  doc,
  default: def,
  values: "an absolute path without blanks, at most 107 bytes; or off",
  parse: (raw) => {
    const r = parsePathOrOff(raw);
    if (r.ok && r.value !== null && Buffer.byteLength(r.value) > 107) return { ok: false, fix: "unix socket paths are limited to 107 bytes" };
    return r;
  },
});

export const int = (doc: string, def: number, min: number, max: number, allowed?: readonly number[]): KeySpec<number> => ({
  doc,
  default: def,
  values: allowed ? `one of ${allowed.join(", ")}` : `a whole number from ${min} to ${max}`,
  parse: (raw) => {
    if (!/^-?\d+$/.test(raw)) return { ok: false, fix: `give a whole number${allowed ? ` (one of ${allowed.join(", ")})` : ` from ${min} to ${max}`}` };
    const n = Number(raw);
    if (allowed && !allowed.includes(n)) return { ok: false, fix: `use one of ${allowed.join(", ")}` };
    if (n < min || n > max) return { ok: false, fix: `give a number from ${min} to ${max}` };
    return { ok: true, value: n };
  },
});

export const optionalInt = (doc: string, min: number, max: number): KeySpec<number | null> => ({
  doc,
  default: null,
  values: `a whole number from ${min} to ${max}, or off`,
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    const r = int(doc, 0, min, max).parse(raw);
    return r.ok ? r : { ok: false, fix: `${r.fix}, or 'off'` };
  },
});

export const intOrOff = (doc: string, def: number | null, min: number, max: number): KeySpec<number | null> => ({ ...optionalInt(doc, min, max), default: def });

export const i2cAddress = (doc: string): KeySpec<number | "auto"> => ({
  doc,
  default: "auto",
  values: "a 7-bit address from 0x08 to 0x77 (hexadecimal with 0x, or decimal), or auto",
  parse: (raw) => {
    if (raw === "auto") return { ok: true, value: "auto" };
    const n = /^0x[0-9a-f]{1,2}$/i.test(raw) ? parseInt(raw, 16) : /^\d+$/.test(raw) ? Number(raw) : NaN;
    return n >= 0x08 && n <= 0x77 ? { ok: true, value: n } : { ok: false, fix: "give a 7-bit address like 0x27 or 0x3f (i2cdetect -y 1 lists them), or 'auto'" };
  },
});

/** Kept as the text (parsePinMap accepts it), so the config prints as it was written. */
export const pinMap = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "eight PCF8574 bits (0-7), each once, comma-separated, in the order rs,rw,en,backlight,d4,d5,d6,d7",
  parse: (raw) => {
    const m = parsePinMap(raw);
    return m ? { ok: true, value: raw } : { ok: false, fix: "give the PCF8574 bit (0-7) of rs,rw,en,backlight,d4,d5,d6,d7, each once, e.g. 0,1,2,3,4,5,6,7" };
  },
});

export const oneOf = <T extends string>(doc: string, def: T, values: readonly T[]): KeySpec<T> => ({
  doc,
  default: def,
  values: `one of ${values.join(", ")}`,
  parse: (raw) => ((values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, fix: `use one of ${values.join(", ")}` }),
});

export const date = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "a date as YYYY-MM-DD",
  parse: (raw) => (/^\d{4}-\d\d-\d\d$/.test(raw) && !Number.isNaN(Date.parse(raw + "T00:00:00Z")) ? { ok: true, value: raw } : { ok: false, fix: "give a date as YYYY-MM-DD" }),
});

/** Host names and addresses go into chrony.conf as they are: nothing that could end a chrony directive. */
export const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
export const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
export const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

export const isHost = (h: string): boolean => HOST.test(h) || IPV6.test(h);

export function listOf(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** NTP servers: host names or addresses, 'pool:NAME' for a pool name (several servers from one name). */
export const ntpServers = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "host names or IP addresses, comma-separated (pool:NAME for a pool), or off",
  parse: (raw) => {
    if (raw === "off" || raw === "none") return { ok: true, value: "off" };
    const items = listOf(raw);
    const bad = items.filter((i) => !isHost(i.startsWith("pool:") ? i.slice(5) : i));
    if (items.length === 0 || bad.length > 0)
      return { ok: false, fix: `${bad.length ? `'${bad[0]}' is not a host name or address; ` : ""}list host names or addresses, comma-separated (pool:NAME for a pool), or 'off'` };
    return { ok: true, value: items.join(",") };
  },
});

/** Who may ask for time: 'all', 'off', or addresses and networks (CIDR). */
export const allowList = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "all, off, or IP addresses and networks (CIDR), comma-separated",
  parse: (raw) => {
    if (raw === "all" || raw === "off") return { ok: true, value: raw };
    const items = listOf(raw);
    const valid = (item: string): boolean => {
      const [addr, bits, extra] = item.split("/");
      if (extra !== undefined || addr === undefined) return false;
      const max = IPV4.test(addr) ? 32 : IPV6.test(addr) ? 128 : -1;
      return max > 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max));
    };
    const bad = items.find((i) => !valid(i));
    if (items.length === 0 || bad !== undefined)
      return { ok: false, fix: `${bad ? `'${bad}' is not an address or network; ` : ""}give 'all', 'off', or addresses and networks like 192.168.1.0/24, 2001:db8::/32, comma-separated` };
    return { ok: true, value: items.join(",") };
  },
});

/**
 * ADDRESS:PORT on loopback, or off: chronyd's UDP command port must never be
 * reachable from the network, so only 127.0.0.1 and [::1] are accepted. Kept
 * as the text; parseLoopbackPort reads it.
 */
export const loopbackPort = (doc: string, def: string | null): KeySpec<string | null> => ({
  doc,
  default: def,
  values: "127.0.0.1:PORT or [::1]:PORT (PORT from 1 to 65535), or off",
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    return parseLoopbackPort(raw) ? { ok: true, value: raw } : { ok: false, fix: "give 127.0.0.1:PORT or [::1]:PORT (chronyd's command port is loopback only; Debian's is 323), or 'off'" };
  },
});

/** The host and port of a chrony.monitor value (validated by the schema). */
export function parseLoopbackPort(raw: string): { host: "127.0.0.1" | "::1"; port: number } | undefined {
  const m = /^(127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) return undefined;
  return { host: m[1] === "127.0.0.1" ? "127.0.0.1" : "::1", port };
}

/** A file chrony reads (no socket-length limit). */
export const filePath = (doc: string, def: string | null = null): KeySpec<string | null> => ({ doc, default: def, values: "an absolute path without blanks, or off", parse: parsePathOrOff });

/**
 * ADDRESS:PORT for a TCP listener, or off. Addresses only, no host names: a
 * name could resolve to another interface than the one the firewall opens.
 * 0.0.0.0 and [::] listen on every interface. Kept as the text;
 * parseListenAddress reads it.
 */
export const listenAddress = (doc: string): KeySpec<string | null> => ({
  doc,
  default: null,
  values: "IPV4:PORT or [IPV6]:PORT (PORT from 1 to 65535; 0.0.0.0 or [::] for every interface), or off",
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    return parseListenAddress(raw) ? { ok: true, value: raw } : { ok: false, fix: "give the address to listen on and a port, like 192.168.10.5:9817, 127.0.0.1:9817 or [2001:db8::5]:9817, or 'off'" };
  },
});

/** The host and port of a metrics.listen value (validated by the schema). */
export function parseListenAddress(raw: string): { host: string; port: number; family: 4 | 6 } | undefined {
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9A-Fa-f:.]+)\]):(\d{1,5})$/.exec(raw);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  if (m[1] !== undefined) return IPV4.test(m[1]) ? { host: m[1], port, family: 4 } : undefined;
  return isIP(m[2]!) === 6 ? { host: m[2]!, port, family: 6 } : undefined;
}

/** Networks beside loopback (which is always let in), or none. */
export const networkList = (doc: string): KeySpec<string | null> => ({
  doc,
  default: null,
  values: "IP addresses and networks (CIDR), comma-separated; all (whoever reaches the port); or none",
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    const r = allowList(doc, "").parse(raw);
    if (!r.ok || r.value === "off") return { ok: false, fix: "give addresses and networks like 192.168.10.0/24, 2001:db8::/64, comma-separated, or 'none'" };
    return r;
  },
});

/** The log collector's URL (systemd-journal-remote), or off. Kept as the text; parseRemoteLogUrl reads it. */
export const remoteLogUrl = (doc: string): KeySpec<string | null> => ({
  doc,
  default: null,
  values: "http://HOST[:PORT] or https://HOST[:PORT] (HOST a name, an IPv4 address or [IPv6]; PORT 19532 unless given), or off",
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    return parseRemoteLogUrl(raw)
      ? { ok: true, value: raw }
      : { ok: false, fix: "give the log host's systemd-journal-remote as http://HOST[:PORT] or https://HOST[:PORT] (e.g. http://192.168.10.2:19532), or 'off'" };
  },
});

/** A log.remote value's parts (validated by the schema). */
export function parseRemoteLogUrl(raw: string): { scheme: "http" | "https"; host: string; port: number } | undefined {
  const m = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(raw);
  if (!m) return undefined;
  const host = m[2]!;
  const port = m[3] === undefined ? 19532 : Number(m[3]);
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (port < 1 || port > 65535 || !(host.startsWith("[") ? isIP(bare) === 6 : HOST.test(host))) return undefined;
  return { scheme: m[1] === "https" ? "https" : "http", host, port };
}
