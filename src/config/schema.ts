/*
 * Every configuration key, its type, default, check and documentation, in
 * one table. The Config type is derived from it, the validator walks it, and
 * `stratum1d --help-config` prints it, so the three cannot drift apart.
 */
import { parsePinMap } from "../display/pcf8574Pins.js";
import { isIP } from "node:net";
import { parsePages, PAGES } from "../display/pages.js";
import { FLEET_KEYS } from "../fleet/fleetKeys.js";

export interface KeySpec<T> {
  doc: string;
  default: T;
  /** What the key accepts, in words, for stratum1.conf(5) (src/config/manPage.ts). */
  values?: string;
  parse(raw: string): { ok: true; value: T } | { ok: false; fix: string };
}

const STANDARD_BAUDS = [4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

const str = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "any non-empty text",
  parse: (raw) => (raw.length > 0 ? { ok: true, value: raw } : { ok: false, fix: "give a non-empty value" }),
});

/** An absolute path or off; no blanks, because chrony.conf takes paths as they are and splits its lines at them. */
function parsePathOrOff(raw: string): ReturnType<KeySpec<string | null>["parse"]> {
  if (raw === "" || raw === "off" || raw === "none") return { ok: true, value: null };
  if (!raw.startsWith("/") || /\s/.test(raw)) return { ok: false, fix: "give an absolute path without blanks, or 'off'" };
  return { ok: true, value: raw };
}

const optionalPath = (doc: string, def: string | null): KeySpec<string | null> => ({
  doc,
  default: def,
  values: "an absolute path without blanks, at most 107 bytes; or off",
  parse: (raw) => {
    const r = parsePathOrOff(raw);
    if (r.ok && r.value !== null && Buffer.byteLength(r.value) > 107) return { ok: false, fix: "unix socket paths are limited to 107 bytes" };
    return r;
  },
});

const int = (doc: string, def: number, min: number, max: number, allowed?: readonly number[]): KeySpec<number> => ({
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

const optionalInt = (doc: string, min: number, max: number): KeySpec<number | null> => ({
  doc,
  default: null,
  values: `a whole number from ${min} to ${max}, or off`,
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    const r = int(doc, 0, min, max).parse(raw);
    return r.ok ? r : { ok: false, fix: `${r.fix}, or 'off'` };
  },
});

const intOrOff = (doc: string, def: number | null, min: number, max: number): KeySpec<number | null> => ({ ...optionalInt(doc, min, max), default: def });

const i2cAddress = (doc: string): KeySpec<number | "auto"> => ({
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
const pinMap = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "eight PCF8574 bits (0-7), each once, comma-separated, in the order rs,rw,en,backlight,d4,d5,d6,d7",
  parse: (raw) => {
    const m = parsePinMap(raw);
    return m ? { ok: true, value: raw } : { ok: false, fix: "give the PCF8574 bit (0-7) of rs,rw,en,backlight,d4,d5,d6,d7, each once, e.g. 0,1,2,3,4,5,6,7" };
  },
});

const oneOf = <T extends string>(doc: string, def: T, values: readonly T[]): KeySpec<T> => ({
  doc,
  default: def,
  values: `one of ${values.join(", ")}`,
  parse: (raw) => ((values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, fix: `use one of ${values.join(", ")}` }),
});

const date = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  values: "a date as YYYY-MM-DD",
  parse: (raw) => (/^\d{4}-\d\d-\d\d$/.test(raw) && !Number.isNaN(Date.parse(raw + "T00:00:00Z")) ? { ok: true, value: raw } : { ok: false, fix: "give a date as YYYY-MM-DD" }),
});

/** Host names and addresses go into chrony.conf as they are: nothing that could end a chrony directive. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

const isHost = (h: string): boolean => HOST.test(h) || IPV6.test(h);

function listOf(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** NTP servers: host names or addresses, 'pool:NAME' for a pool name (several servers from one name). */
const ntpServers = (doc: string, def: string): KeySpec<string> => ({
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
const allowList = (doc: string, def: string): KeySpec<string> => ({
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
const loopbackPort = (doc: string, def: string | null): KeySpec<string | null> => ({
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

/**
 * ADDRESS:PORT for a TCP listener, or off. Addresses only, no host names: a
 * name could resolve to another interface than the one the firewall opens.
 * 0.0.0.0 and [::] listen on every interface. Kept as the text;
 * parseListenAddress reads it.
 */
const listenAddress = (doc: string): KeySpec<string | null> => ({
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
const networkList = (doc: string): KeySpec<string | null> => ({
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
const remoteLogUrl = (doc: string): KeySpec<string | null> => ({
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

/** A file chrony reads (no socket-length limit). */
const filePath = (doc: string, def: string | null = null): KeySpec<string | null> => ({ doc, default: def, values: "an absolute path without blanks, or off", parse: parsePathOrOff });

/** The day this firmware was released: no receiver date before it can be real. Bumped at each release. */
export const FIRMWARE_FLOOR_DATE = "2026-11-01";

export const SCHEMA = {
  "serial.path": str("the receiver's serial device (Pi UART: /dev/serial0; USB: /dev/ttyACM0 or /dev/serial/by-id/...)", "/dev/serial0"),
  "serial.baud": int("the receiver's baud rate: u-blox M8 and MT3339 9600, u-blox M9/F9/M10 38400", 9600, 1200, 921600, STANDARD_BAUDS),
  "chrony.sock": optionalPath("chrony SOCK refclock socket for the NMEA samples ('refclock SOCK <path> refid NMEA' in chrony.conf), or 'off'", "/run/chrony/stratum1-nmea.sock"),
  "shm.unit": optionalInt("ntpd/ntpsec SHM unit to write samples to (key 0x4e545030+unit, mode 0600), or 'off'", 0, 255),
  "pps.sysfs": optionalPath("kernel PPS device directory holding 'assert' (pps-gpio overlay: /sys/class/pps/pps0), or 'off'", "/sys/class/pps/pps0"),
  "pps.gpio": optionalInt("BCM pin watched for the pulse in user space (onoff), for boards without the pps-gpio overlay; less precise; or 'off'", 0, 53),
  "pps.sock": optionalPath(
    "chrony SOCK refclock socket for the labelled pulse samples ('refclock SOCK <path> refid PPS'), or 'off' when chrony reads /dev/pps0 itself",
    "/run/chrony/stratum1-pps.sock",
  ),
  "pps.shm": optionalInt("ntpd/ntpsec SHM unit for the labelled pulse samples (precision 2^-20 s), or 'off'", 0, 255),
  "pps.edge": oneOf(
    "which pulse the receiver's time names: 'after' (the time follows its pulse: u-blox, MediaTek, SiRF), 'before' (the time announces the next pulse), 'auto' (after, refused when the host clock says otherwise)",
    "auto",
    ["auto", "after", "before"] as const,
  ),
  "pps.holdover": int("seconds to keep labelling pulses by count when the receiver's time stops (never across a UTC midnight); 0 stops at once", 60, 0, 3600),
  "holdover.trust": intOrOff(
    "seconds chrony keeps serving from its own clock once it has lost every source (receiver and network servers), before it declares itself unsynchronised (leap 3, stratum 16) so clients move to other servers; chrony counts it in powers of two (fallbackdrift): the nearest one is used, and only after it was synchronised for twice as long; 'off': serve on for ever, the error bound (root dispersion) growing",
    3600,
    64,
    131072,
  ),
  "chrony.monitor": loopbackPort(
    "chronyd's UDP command port, where chronyd answers monitoring requests only (tracking, sources): the figures on the panel and in the status are read there, as ADDRESS:PORT on loopback; or 'off'",
    "127.0.0.1:323",
  ),
  "chrony.control": optionalPath(
    "chronyd's unix control socket, which answers every command: stratum1d reads only the NTP request counts and the client list there (chronyd answers those nowhere else), and only with this set; 'off' keeps the service to the monitoring port (see the chrony guide for what control access would allow)",
    "/run/chrony/chronyd.sock",
  ),
  "lcd.bus": intOrOff("I2C bus of the LCD backpack (/dev/i2c-N; the Pi header's is 1, after dtparam=i2c_arm=on), or 'off' for a box without display", 1, 0, 31),
  "lcd.address": i2cAddress("the backpack's I2C address: 'auto' tries 0x27 (PCF8574) then 0x3f (PCF8574A)"),
  "lcd.size": oneOf("the display: 16 columns x 2 rows or 20 x 4", "16x2", ["16x2", "20x4"] as const),
  "lcd.pins": pinMap("how the backpack wires PCF8574 bits to the LCD: rs,rw,en,backlight,d4,d5,d6,d7 (the common boards: 0,1,2,3,4,5,6,7)", "0,1,2,3,4,5,6,7"),
  "lcd.pages": {
    doc: `the pages that take turns on the display, in order, from ${PAGES.join(",")} ('time' alone: a steady clock; 'fleet' is skipped on a box not in a fleet)`,
    default: PAGES.join(","),
    values: `pages from ${PAGES.join(", ")}, comma-separated, each once`,
    parse: (raw: string) => (parsePages(raw) ? { ok: true, value: raw } : { ok: false, fix: `list pages from ${PAGES.join(", ")}, comma-separated, each once` }),
  } as KeySpec<string>,
  "lcd.page": int("seconds each page (and each alarm) stays on the display before the next", 10, 1, 600),
  "capture.socket": optionalPath("unix socket where 'stratum1ctl capture' records what the service reads (serial bytes and pulse edges with their stamps), or 'off'", "/run/stratum1/capture.sock"),
  "state.dir": optionalPath(
    "where the service keeps what it learned across restarts (the pulse direction verified for each receiver); on the appliance on the data partition; or 'off'",
    "/var/lib/stratum1",
  ),
  "status.path": optionalPath("where the status snapshot (JSON) is written every second, or 'off'", "/run/stratum1/status.json"),
  "metrics.listen": listenAddress(
    "where Prometheus scrapes the service's metrics (http://ADDRESS:PORT/metrics): an address of this box and a port, e.g. the management network's; loopback is enough for a Prometheus on the box itself; or 'off'",
  ),
  "metrics.allow": networkList(
    "networks besides loopback allowed to scrape the metrics (the management network, e.g. 192.168.10.0/24): the service answers no one else, and the image's firewall opens metrics.listen's port to these alone; or 'none'",
  ),
  "time.floor": date("no receiver date before this is believed (catches the GPS week-rollover bug); default: firmware release date", FIRMWARE_FLOOR_DATE),
  "time.utc-holdoff": int(
    "seconds an NMEA-only receiver's UTC is not used after a cold start the box saw (its leap-second count may still be the firmware's default; GPS sends it every 12.5 min), unless a verified clock agrees sooner; receivers that say when their UTC is valid (u-blox UBX) need none; 0: off",
    750,
    0,
    3600,
  ),
  "time.leap-list": filePath(
    "the leap second list (tzdata's leap-seconds.list) that chrony reads where its version can (chrony 4.6+: leapseclist); the box raises an alarm when it has expired or disagrees with the receiver; or 'off'",
    "/usr/share/zoneinfo/leap-seconds.list",
  ),
  "time.settle": int("consecutive consistent epochs required before samples flow (after start, a jump, or a reconnect)", 3, 1, 60),
  "ntp.servers": ntpServers(
    "network NTP servers chrony also uses (selectable, so they outvote a GPS gone wrong and take over when it fails; see README), comma-separated; 'pool:NAME' for a pool; or 'off' for a box without network time",
    "0.pool.ntp.org,1.pool.ntp.org,2.pool.ntp.org,3.pool.ntp.org",
  ),
  "ntp.allow": allowList("who chrony serves time to: 'all', addresses and networks (192.168.0.0/16,2001:db8::/32), or 'off' to serve no one", "all"),
  "ntp.ratelimit": oneOf("answer about one request every 2 s per client address on average, with bursts of 16 (chrony 'ratelimit'); keep on for a server on the internet", "on", [
    "on",
    "off",
  ] as const),
  "nts.cert": filePath("NTS: the server's certificate chain (PEM) for 'ntsservercert', readable by group _chrony; with nts.key it turns NTS-KE on (TCP 4460); or 'off'"),
  "nts.key": filePath("NTS: the certificate's private key (PEM) for 'ntsserverkey', readable by group _chrony; or 'off'"),
  "update.commit-timeout": int(
    "after an update, seconds the new system has to reach good time (the pulse labelled and chrony synchronised to it; chrony synchronised on a box without a receiver) before it is rolled back to the previous one",
    900,
    60,
    86400,
  ),
  "log.level": oneOf("least important log level printed", "info", ["error", "warning", "notice", "info", "debug"] as const),
  // The fleet health gate and FRR (src/fleet/fleetKeys.ts).
  ...FLEET_KEYS,
  "log.remote": remoteLogUrl(
    "forward the journal (the service's log and the system's) to a log host's systemd-journal-remote, as http://HOST[:PORT] or https://HOST[:PORT]; for https, the box's key, certificate and the host's CA go in /etc/stratum1/journal-upload/ (key.pem, cert.pem, ca.pem); or 'off'. The box keeps its journal in RAM only, so this is how its logs outlive a reboot",
  ),
} as const;

export type ConfigKey = keyof typeof SCHEMA;
type SpecValue<S> = S extends KeySpec<infer T> ? T : never;
export type Config = { -readonly [K in ConfigKey]: SpecValue<(typeof SCHEMA)[K]> };

export function defaults(): Config {
  return Object.fromEntries(Object.entries(SCHEMA).map(([k, spec]) => [k, spec.default])) as Config;
}
