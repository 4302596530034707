/*
 * chrony's configuration, generated from stratum1.conf so that one file says
 * how the box keeps and serves time. chrony.service's stratum1 drop-in runs
 * `stratum1ctl chrony-config --out …` before every chronyd start, and chronyd
 * reads only what this returns. Pure: config in, text out; every directive
 * carries the reason it is there, because an operator reading the generated
 * file (`stratum1ctl chrony-config`) should not need this source to judge it.
 */
import { keysReadBy } from "../config/keyReaders.js";
import { parseLoopbackPort, type Config, type ConfigKey } from "../config/schema.js";
import { CHRONY_BASELINE, type ChronyFeatures } from "./chronyFeatures.js";

/** Debian's (and chrony's) own place for the unix command socket. */
export const DEFAULT_CONTROL_SOCKET = "/run/chrony/chronyd.sock";

/** Where chronyd keeps its state and where operators add lines; the appliance's defaults, overridable for tests. */
export interface ChronyPaths {
  /** Drift and NTS keys; on the image a link into the data partition, so they survive reboots. */
  stateDir: string;
  /** Extra directives an operator adds (*.conf), read after ours. */
  confDir: string;
}

export const APPLIANCE_CHRONY_PATHS: ChronyPaths = { stateDir: "/var/lib/chrony", confDir: "/etc/stratum1/chrony.d" };

/** The stratum1.conf keys this generator reads: changing one needs a chrony restart (the one table: config/keyReaders.ts). */
export const CHRONY_KEYS: readonly ConfigKey[] = keysReadBy("chrony.service");

/**
 * holdover.trust as chrony counts it: fallbackdrift takes powers of two, so the
 * nearest one (on a log scale), and its seconds; null when off.
 */
export function holdoverPower(cfg: Config): { exponent: number; seconds: number } | null {
  const s = cfg["holdover.trust"];
  if (s === null) return null;
  const exponent = Math.round(Math.log2(s));
  return { exponent, seconds: 2 ** exponent };
}

/** How the pulse reaches chrony, derived from stratum1.conf (README: "Two ways to give chrony the pulse"). */
export type PulseSetup = { kind: "sock"; socket: string } | { kind: "kernel"; device: string } | { kind: "none" };

export function pulseSetup(cfg: Config): PulseSetup {
  if (cfg["pps.sock"] !== null) return { kind: "sock", socket: cfg["pps.sock"] };
  const sysfs = cfg["pps.sysfs"];
  if (sysfs !== null && cfg["chrony.sock"] !== null) return { kind: "kernel", device: `/dev/${sysfs.replace(/\/+$/, "").split("/").pop() ?? "pps0"}` };
  return { kind: "none" };
}

/**
 * What in stratum1.conf chrony cannot be given as asked, each with its fix.
 * Only combinations: each key on its own was already checked by the schema
 * (which also keeps blanks out of every path, since chrony splits lines at them).
 */
export function chronyConfProblems(cfg: Config): string[] {
  const problems: string[] = [];
  if (cfg["pps.sock"] === null && cfg["pps.sysfs"] !== null && cfg["chrony.sock"] === null) {
    problems.push(
      "pps.sock = off with pps.sysfs set asks chrony to read the pulse itself, locked to the NMEA samples, but chrony.sock = off sends none; set chrony.sock (or pps.sock for labelled pulses)",
    );
  }
  if ((cfg["nts.cert"] === null) !== (cfg["nts.key"] === null)) {
    problems.push(`NTS needs both nts.cert and nts.key (${cfg["nts.cert"] === null ? "nts.cert" : "nts.key"} is off); set both, or both off`);
  }
  if (cfg["ntp.servers"] === "off" && pulseSetup(cfg).kind === "none" && cfg["chrony.sock"] === null) {
    problems.push("ntp.servers, chrony.sock and the pulse are all off: chrony would have no source of time; set at least one");
  }
  return problems;
}

const lines = (...l: string[]): string => l.join("\n") + "\n";

function refclocks(cfg: Config): string {
  const pulse = pulseSetup(cfg);
  const nmea = cfg["chrony.sock"];
  const out: string[] = ["# --- The receiver (refclocks fed by stratum1d) ---"];
  if (nmea !== null) {
    // noselect when a pulse is there: NMEA is only good to a few ms, so it must never be chosen over the
    // pulse or the network; it stays visible in `chronyc sources` as a sanity check, and is what 'lock NMEA' uses.
    out.push(
      pulse.kind === "none"
        ? "# NMEA samples alone (no pulse configured): good to a few milliseconds; the network servers, if any, outvote it."
        : "# NMEA samples: coarse (ms); shown as a sanity check, never selected. stratum1d takes the learned delay out of them.",
      `refclock SOCK ${nmea} refid NMEA poll 4 precision 1e-3 delay 0.2${pulse.kind === "none" ? "" : " noselect"}`,
    );
  } else out.push("# chrony.sock = off: no NMEA samples.");
  if (pulse.kind === "sock") {
    out.push(
      "# Set-up A: pulses labelled with their UTC second by stratum1d, carrying the kernel's edge timestamp.",
      "# prefer: chosen over the network servers whenever it agrees with them.",
      `refclock SOCK ${pulse.socket} refid PPS poll 2 precision 1e-7 prefer`,
    );
  } else if (pulse.kind === "kernel") {
    out.push("# Set-up B (pps.sock = off): chrony reads the kernel PPS device and takes each pulse's second from the NMEA samples.", `refclock PPS ${pulse.device} refid PPS lock NMEA poll 2 prefer`);
  } else out.push("# No pulse: pps.sock and pps.sysfs are off (or chrony.sock is, which set-up B needs).");
  return lines(...out);
}

function network(cfg: Config): string {
  const servers = cfg["ntp.servers"];
  if (servers === "off") return lines("# --- Network servers: none (ntp.servers = off). A lost GPS leaves chrony holding over on its own. ---");
  const out = [
    "# --- Network servers ---",
    "# Selectable, not noselect: together they outvote a refclock that is wrong (a wrong second, a spoofed or",
    "# rolled-over receiver) so that it is dropped as a falseticker, and chrony falls back to them when the",
    "# receiver is lost, serving at stratum 2 instead of free-running. While the pulse agrees with them, 'prefer'",
    "# keeps it the only source used. iburst: four quick polls at start, for a fast first sync.",
  ];
  out.push(
    "# maxpoll 8 maxsamples 4: the servers' samples stay recent (minutes, not hours old), so when the receiver",
    "# stops, chrony hands over to them within minutes instead of holding on to the last pulse it had.",
  );
  for (const s of servers.split(",")) out.push(s.startsWith("pool:") ? `pool ${s.slice(5)} iburst maxsources 4 maxpoll 8 maxsamples 4` : `server ${s} iburst maxpoll 8 maxsamples 4`);
  return lines(...out);
}

function serving(cfg: Config, paths: ChronyPaths, features: ChronyFeatures): string {
  const allow = cfg["ntp.allow"];
  const out = ["# --- Serving time ---"];
  if (allow === "off") out.push("# ntp.allow = off: no client is answered.");
  else if (allow === "all") out.push("# ntp.allow = all: anyone may ask (a public or pool server).", "allow all");
  else out.push("# ntp.allow: only these addresses and networks are answered.", ...allow.split(",").map((a) => `allow ${a}`));
  if (cfg["ntp.ratelimit"] === "on") {
    out.push(
      "# Per client address: about one request every 2 s on average with bursts of 16, past that 1 in 4 answered,",
      "# so a misconfigured or hostile client cannot use the box to flood or amplify.",
      features.ratelimitKod ? "ratelimit interval 1 burst 16 leak 2 kod 2" : "ratelimit interval 1 burst 16 leak 2",
      ...(features.ratelimitKod
        ? [
            "# kod 2: besides those, about 1 in 4 of its requests over the limit gets a Kiss-o'-Death RATE, so a client that",
            "# understands it (chrony, ntpd) backs off; a kiss is no bigger than the request.",
          ]
        : ["# (chrony 4.6 can also send a Kiss-o'-Death RATE to such a client; this chronyd drops the rest silently.)"]),
      "# Remember up to 16 MB of clients (131 072 addresses; chrony's default 512 kB holds 4096), so rate limiting",
      "# still knows a flooding client on a busy public or pool server.",
      "clientloglimit 16777216",
    );
  } else out.push("# ntp.ratelimit = off: every request is answered (a closed network with clients behind one NAT).");
  const cert = cfg["nts.cert"];
  const key = cfg["nts.key"];
  if (cert !== null && key !== null) {
    out.push(
      "# NTS (RFC 8915): key establishment on TCP 4460 with this certificate; cookies' keys kept across restarts.",
      `ntsservercert ${cert}`,
      `ntsserverkey ${key}`,
      `ntsdumpdir ${paths.stateDir}`,
      "# Key establishment is a TLS handshake, costly: one every 64 s per client, bursts of 8 (chrony's defaults).",
      "ntsratelimit interval 6 burst 8 leak 2",
      ...(cfg["fleet.nts-keys"] === "follow"
        ? [
            "# fleet.nts-keys = follow: the cookie keys are the fleet's rotating node's, copied into ntsdumpdir",
            "# (stratum1-nts-sync.timer) and loaded with 'chronyc rekey', so cookies from any node work here.",
            "ntsrotate 0",
          ]
        : []),
    );
  } else {
    out.push(
      "# NTS (RFC 8915) is off: set nts.cert and nts.key (a certificate for this box's DNS name, readable by",
      "# group _chrony) and these lines are generated:",
      "#   ntsservercert <nts.cert>",
      "#   ntsserverkey <nts.key>",
      `#   ntsdumpdir ${paths.stateDir}`,
    );
  }
  return lines(...out);
}

function leapSeconds(cfg: Config, features: ChronyFeatures): string[] {
  const list = cfg["time.leap-list"];
  if (features.leapseclist && list !== null) {
    return [
      "# Leap seconds from the IERS list (tzdata), which stratum1d also checks for expiry and against the receiver;",
      "# chrony announces them to clients on the day (the receiver's own announcement reaches chrony on the samples).",
      `leapseclist ${list}`,
    ];
  }
  return [
    `# Leap seconds from the system's time zone data (the receiver's own announcement reaches chrony on the samples)${features.leapseclist ? "" : ";"}`,
    ...(features.leapseclist ? [] : [`# chronyd ${features.version ?? "(version unknown)"} has no leapseclist (4.6+), so the same data is read from right/UTC.`]),
    "leapsectz right/UTC",
  ];
}

function holdover(cfg: Config): string[] {
  const power = holdoverPower(cfg);
  const out = [
    "# Holdover: when every source is lost chrony keeps the clock on its last frequency, and the error bound it",
    "# serves (root dispersion) grows by maxclockerror plus the frequency's own uncertainty each second. 5 ppm",
    "# covers a Pi's crystal over its temperature range, so clients are told an honest bound, not 1 ppm.",
    "maxclockerror 5",
  ];
  if (power === null) out.push("# holdover.trust = off: chrony serves from its own clock for as long as it has no source.");
  else {
    out.push(
      `# holdover.trust = ${cfg["holdover.trust"]} s, as chrony counts it: 2^${power.exponent} = ${power.seconds} s. After that long without a source`,
      "# chrony declares itself unsynchronised (clients see leap 3 and move on) - once it has been synchronised",
      `# for 2^${power.exponent + 1} s; before that (just after a boot) it holds over for as long as it has no source.`,
      `fallbackdrift ${power.exponent} ${power.exponent}`,
    );
  }
  return out;
}

function local(cfg: Config, paths: ChronyPaths, features: ChronyFeatures): string {
  const monitor = cfg["chrony.monitor"] ? parseLoopbackPort(cfg["chrony.monitor"]) : undefined;
  // The operator's chronyc on the box uses the unix socket whether or not stratum1d may.
  const control = cfg["chrony.control"] ?? DEFAULT_CONTROL_SOCKET;
  return lines(
    "# --- The clock and chrony itself ---",
    ...leapSeconds(cfg, features),
    ...holdover(cfg),
    "# A Pi has no battery clock: at boot the time can be far off, so the first three updates may step it;",
    "# after that it is only slewed, never jumped under the clients' feet.",
    "makestep 1 3",
    "# Keep the kernel's copy in the RTC (Pi 5, or an RTC HAT) close, for the next boot.",
    "rtcsync",
    "# The measured frequency error of the crystal, for a good start after a reboot (persistent storage).",
    `driftfile ${paths.stateDir}/chrony.drift`,
    ...(monitor
      ? [
          "# chronyd's command port on loopback only: it answers monitoring requests (tracking, sources),",
          "# which is all stratum1d needs for the panel and the status (chrony.monitor); every other",
          "# command is refused there. Commands that change chrony go over the unix socket alone.",
          `cmdport ${monitor.port}`,
          "bindcmdaddress 127.0.0.1",
          "bindcmdaddress ::1",
        ]
      : ["# chrony.monitor = off: no UDP command port; chronyc on this box uses the unix socket.", "cmdport 0"]),
    "# The control socket (root, and the groups chrony's stratum1 drop-in lets in).",
    `bindcmdaddress ${control}`,
    "# Directives added by hand, kept across image updates (*.conf).",
    `confdir ${paths.confDir}`,
  );
}

export function chronyConf(cfg: Config, paths: ChronyPaths = APPLIANCE_CHRONY_PATHS, source = "/etc/stratum1/stratum1.conf", features: ChronyFeatures = CHRONY_BASELINE): string {
  return [
    lines(
      `# chrony.conf generated by 'stratum1ctl chrony-config' from ${source}, for chronyd ${features.version ?? "of unknown version (only directives every 4.x accepts)"}.`,
      "# Do not edit: chrony.service regenerates it at every start. Change stratum1.conf",
      "# (stratum1ctl config set KEY=VALUE), or add directives in the directory named by 'confdir' below.",
    ),
    refclocks(cfg),
    network(cfg),
    serving(cfg, paths, features),
    local(cfg, paths, features),
  ].join("\n");
}
