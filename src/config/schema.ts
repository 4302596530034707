/*
 * Every configuration key, its type, default, check and documentation, in
 * one table. The Config type is derived from it, the validator walks it, and
 * `stratum1d --help-config` prints it, so the three cannot drift apart.
 */
export interface KeySpec<T> {
  doc: string;
  default: T;
  parse(raw: string): { ok: true; value: T } | { ok: false; fix: string };
}

const STANDARD_BAUDS = [4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

const str = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  parse: (raw) => (raw.length > 0 ? { ok: true, value: raw } : { ok: false, fix: "give a non-empty value" }),
});

const optionalPath = (doc: string, def: string | null): KeySpec<string | null> => ({
  doc,
  default: def,
  parse: (raw) => {
    if (raw === "" || raw === "off" || raw === "none") return { ok: true, value: null };
    if (!raw.startsWith("/")) return { ok: false, fix: "give an absolute path, or 'off'" };
    if (Buffer.byteLength(raw) > 107) return { ok: false, fix: "unix socket paths are limited to 107 bytes" };
    return { ok: true, value: raw };
  },
});

const int = (doc: string, def: number, min: number, max: number, allowed?: readonly number[]): KeySpec<number> => ({
  doc,
  default: def,
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
  parse: (raw) => {
    if (raw === "off" || raw === "none" || raw === "") return { ok: true, value: null };
    const r = int(doc, 0, min, max).parse(raw);
    return r.ok ? r : { ok: false, fix: `${r.fix}, or 'off'` };
  },
});

const oneOf = <T extends string>(doc: string, def: T, values: readonly T[]): KeySpec<T> => ({
  doc,
  default: def,
  parse: (raw) => ((values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, fix: `use one of ${values.join(", ")}` }),
});

const date = (doc: string, def: string): KeySpec<string> => ({
  doc,
  default: def,
  parse: (raw) => (/^\d{4}-\d\d-\d\d$/.test(raw) && !Number.isNaN(Date.parse(raw + "T00:00:00Z")) ? { ok: true, value: raw } : { ok: false, fix: "give a date as YYYY-MM-DD" }),
});

/** The day this firmware was released: no receiver date before it can be real. Bumped at each release. */
export const FIRMWARE_FLOOR_DATE = "2026-11-01";

export const SCHEMA = {
  "serial.path": str("the receiver's serial device (Pi UART: /dev/serial0; USB: /dev/ttyACM0 or /dev/serial/by-id/...)", "/dev/serial0"),
  "serial.baud": int("the receiver's baud rate: u-blox M8 and MT3339 9600, u-blox M9/F9/M10 38400", 9600, 1200, 921600, STANDARD_BAUDS),
  "chrony.sock": optionalPath("chrony SOCK refclock socket for the NMEA samples ('refclock SOCK <path> refid NMEA' in chrony.conf), or 'off'", "/run/chrony/stratum1-nmea.sock"),
  "shm.unit": optionalInt("ntpd/ntpsec SHM unit to write samples to (key 0x4e545030+unit, mode 0600), or 'off'", 0, 255),
  "pps.sysfs": optionalPath("kernel PPS device directory holding 'assert' (pps-gpio overlay: /sys/class/pps/pps0), or 'off'", "/sys/class/pps/pps0"),
  "pps.gpio": optionalInt("BCM pin watched for the pulse in user space (onoff), for boards without the pps-gpio overlay; less precise; or 'off'", 0, 53),
  "pps.gpio-fifo": optionalPath("simulation only: a named pipe standing in for the GPIO pin (each byte '1' is an edge), or 'off'", null),
  "pps.sock": optionalPath("chrony SOCK refclock socket for the labelled pulse samples ('refclock SOCK <path> refid PPS'), or 'off' when chrony reads /dev/pps0 itself", "/run/chrony/stratum1-pps.sock"),
  "pps.shm": optionalInt("ntpd/ntpsec SHM unit for the labelled pulse samples (precision 2^-20 s), or 'off'", 0, 255),
  "pps.edge": oneOf("which pulse the receiver's time names: 'after' (the time follows its pulse: u-blox, MediaTek, SiRF), 'before' (the time announces the next pulse), 'auto' (after, refused when the host clock says otherwise)", "auto", ["auto", "after", "before"] as const),
  "pps.holdover": int("seconds to keep labelling pulses by count when the receiver's time stops (never across a UTC midnight); 0 stops at once", 60, 0, 3600),
  "status.path": optionalPath("where the status snapshot (JSON) is written every second, or 'off'", "/run/stratum1/status.json"),
  "time.floor": date("no receiver date before this is believed (catches the GPS week-rollover bug); default: firmware release date", FIRMWARE_FLOOR_DATE),
  "time.settle": int("consecutive consistent epochs required before samples flow (after start, a jump, or a reconnect)", 3, 1, 60),
  "log.level": oneOf("least important log level printed", "info", ["error", "warning", "notice", "info", "debug"] as const),
} as const;

export type ConfigKey = keyof typeof SCHEMA;
type SpecValue<S> = S extends KeySpec<infer T> ? T : never;
export type Config = { -readonly [K in ConfigKey]: SpecValue<(typeof SCHEMA)[K]> };

export function defaults(): Config {
  return Object.fromEntries(Object.entries(SCHEMA).map(([k, spec]) => [k, spec.default])) as Config;
}
