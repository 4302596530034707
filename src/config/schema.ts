/*
 * Every configuration key, its type, default, check and documentation, in
 * one table. The Config type is derived from it, the validator walks it, and
 * `stratum1d --help-config` prints it, so the three cannot drift apart.
 */
import { PAGES, parsePages } from "../display/pages.js";
import { FLEET_KEYS } from "../fleet/fleetKeys.js";
import { GPS_KEYS } from "../gnss/control/gpsKeys.js";
import {
  allowList,
  baudOrAuto,
  date,
  filePath,
  i2cAddress,
  int,
  intOrOff,
  listenAddress,
  loopbackPort,
  networkList,
  ntpServers,
  oneOf,
  optionalInt,
  optionalPath,
  pinMap,
  remoteLogUrl,
  str,
  type KeySpec,
} from "./keySpecs.js";

export type { KeySpec } from "./keySpecs.js";
export { parseListenAddress, parseLoopbackPort, parseRemoteLogUrl } from "./keySpecs.js";

/** The day this firmware was released: no receiver date before it can be real. Bumped at each release. */
export const FIRMWARE_FLOOR_DATE = "2026-11-01";

export const SCHEMA = {
  "serial.path": str("the receiver's serial device (Pi UART: /dev/serial0; USB: /dev/ttyACM0 or /dev/serial/by-id/...)", "/dev/serial0"),
  "serial.baud": baudOrAuto(
    "the receiver's baud rate (u-blox M8 and MT3339 9600, u-blox M9/F9/M10 38400), or 'auto' to search the common rates from 9600; when nothing decodes at the rate given the box searches anyway, and says what it found",
    9600,
  ),
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
    "which pulse the receiver's time names: 'after' (the time follows its pulse: u-blox, MediaTek, SiRF), 'before' (the time announces the next pulse), 'auto' (after, assumed until a verified clock checks it, remembered per receiver in state.dir; a contradiction stops labelling and raises PPS EDGE?)",
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
  "control.socket": optionalPath(
    "unix socket where 'stratum1ctl gps config --show/--save' asks the service to read back or save the receiver's settings (the service owns the serial port); only the service's user and root may use it; or 'off'",
    "/run/stratum1/control.sock",
  ),
  "state.dir": optionalPath(
    "where the service keeps what it learned across restarts (the pulse direction verified for each receiver); on the appliance on the data partition; or 'off'",
    "/var/lib/stratum1",
  ),
  "status.path": optionalPath("where the status snapshot (JSON) is written every second, on a RAM file system such as /run (it is written synchronously), or 'off'", "/run/stratum1/status.json"),
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
  "log.remote": remoteLogUrl(
    "forward the journal (the service's log and the system's) to a log host's systemd-journal-remote, as http://HOST[:PORT] or https://HOST[:PORT]; for https, the box's key, certificate and the host's CA go in /etc/stratum1/journal-upload/ (key.pem, cert.pem, ca.pem); or 'off'. The box keeps its journal in RAM only, so this is how its logs outlive a reboot",
  ), // Receiver control (src/gnss/control/gpsKeys.ts).
  ...GPS_KEYS,
  // The fleet health gate and FRR (src/fleet/fleetKeys.ts).
  ...FLEET_KEYS,
} as const;

export type ConfigKey = keyof typeof SCHEMA;
type SpecValue<S> = S extends KeySpec<infer T> ? T : never;
export type Config = { -readonly [K in ConfigKey]: SpecValue<(typeof SCHEMA)[K]> };

/** The rate the port is opened at: serial.baud, or 9600 (u-blox M8's and MediaTek's default) for auto. */
export const openingBaud = (b: number | "auto"): number => (b === "auto" ? 9600 : b);

export function defaults(): Config {
  return Object.fromEntries(Object.entries(SCHEMA).map(([k, spec]) => [k, spec.default])) as Config;
}
