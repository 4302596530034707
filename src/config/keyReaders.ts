/*
 * Which running services read each stratum1.conf key, in one table: what
 * `stratum1ctl config set` restarts after a change (and prints without
 * --restart), what stratum1.conf(5) says under each key, and the keys
 * chrony's configuration is generated from (CHRONY_KEYS). A Record over every
 * key, so a key added to the schema does not compile until someone says who
 * reads it; test/unit/keyReaders.test.ts changes each key and checks that the
 * generators (chrony.conf, FRR's files and firewall, the gate's settings)
 * change exactly for the keys listed here.
 *
 * A key read only when a command or a timer runs (update.commit-timeout at
 * the next trial boot, fleet.nts-source at the next key sync) needs no
 * restart and lists none.
 */
import type { ConfigKey } from "./schema.js";

/** The services that read stratum1.conf, in the order they restart. */
export const SERVICES = [
  // First: chronyd creates the sockets stratum1d sends to, and both the service and the gate read it.
  "chrony.service",
  "stratum1d.service",
  // After stratum1d: the gate reads stratum1d's status (fleet.receiver).
  "stratum1-fleet.service",
  // Last: FRR redistributes what the gate puts on the fleet interfaces.
  "frr.service",
  // Only forwards the journal; nothing else waits on it.
  "systemd-journal-upload.service",
] as const;

export type ServiceName = (typeof SERVICES)[number];

const CHRONY = "chrony.service";
const DAEMON = "stratum1d.service";
const GATE = "stratum1-fleet.service";
const FRR = "frr.service";
const UPLOAD = "systemd-journal-upload.service";

export const KEY_READERS: Readonly<Record<ConfigKey, readonly ServiceName[]>> = {
  "serial.path": [DAEMON],
  "serial.baud": [DAEMON],
  "chrony.sock": [CHRONY, DAEMON],
  "shm.unit": [DAEMON],
  "pps.sysfs": [CHRONY, DAEMON],
  "pps.gpio": [DAEMON],
  "pps.sock": [CHRONY, DAEMON],
  "pps.shm": [DAEMON],
  "pps.edge": [DAEMON],
  "pps.holdover": [DAEMON],
  "holdover.trust": [CHRONY, DAEMON],
  // The gate reads chrony over the monitoring port, or the control socket when that is off.
  "chrony.monitor": [CHRONY, DAEMON, GATE],
  "chrony.control": [CHRONY, DAEMON, GATE],
  "lcd.bus": [DAEMON],
  "lcd.address": [DAEMON],
  "lcd.size": [DAEMON],
  "lcd.pins": [DAEMON],
  "lcd.pages": [DAEMON],
  "lcd.page": [DAEMON],
  "capture.socket": [DAEMON],
  "control.socket": [DAEMON],
  "state.dir": [DAEMON],
  // The gate reads stratum1d's status from there (fleet.receiver = on).
  "status.path": [DAEMON, GATE],
  // stratum1d serves /metrics; its unit opens the firewall for metrics.allow before it starts.
  "metrics.listen": [DAEMON],
  "metrics.allow": [DAEMON],
  "time.floor": [DAEMON],
  "time.utc-holdoff": [DAEMON],
  "time.leap-list": [CHRONY, DAEMON],
  "time.settle": [DAEMON],
  "ntp.servers": [CHRONY],
  "ntp.allow": [CHRONY],
  "ntp.ratelimit": [CHRONY],
  "nts.cert": [CHRONY],
  "nts.key": [CHRONY],
  // Read by `stratum1ctl update install` and at the next trial boot.
  "update.commit-timeout": [],
  "log.level": [DAEMON, GATE],
  // systemd-journal-upload's drop-in reads it before every start.
  "log.remote": [UPLOAD],
  // Receiver control and the receiver's health alarms run in stratum1d.
  "serial.target-baud": [DAEMON],
  "gps.configure": [DAEMON],
  "gps.nmea": [DAEMON],
  "gps.pulse-width": [DAEMON],
  "gps.cable-delay": [DAEMON],
  "gps.survey-time": [DAEMON],
  "gps.survey-accuracy": [DAEMON],
  "gps.jamming-level": [DAEMON],
  "gps.spoofing-alarm": [DAEMON],
  "gps.network-limit": [DAEMON],
  // stratum1d shows the gate's state only on a box in a fleet; FRR runs only there (its drop-in's ExecCondition).
  "fleet.gate": [DAEMON, GATE, FRR],
  "fleet.receiver": [GATE],
  // FRR's configuration is made from these (and its firewall sets from fleet.peers, by frr.service's drop-in).
  // The gate checks them at its start too, but `config set` writes no file it would refuse.
  "fleet.asn": [FRR],
  "fleet.router-id": [FRR],
  "fleet.peers": [FRR],
  "fleet.own": [GATE, FRR],
  "fleet.backup": [GATE, FRR],
  "fleet.prepend": [FRR],
  "fleet.degraded-prepend": [FRR],
  "fleet.bfd": [FRR],
  "fleet.timers": [FRR],
  "fleet.check": [GATE],
  "fleet.fail": [GATE],
  "fleet.pass": [GATE],
  "fleet.hold-down": [GATE],
  "fleet.lifetime": [GATE],
  "fleet.bad-offset": [GATE],
  "fleet.bad-distance": [GATE],
  "fleet.bad-stratum": [GATE],
  "fleet.bad-age": [GATE],
  "fleet.degraded-offset": [GATE],
  "fleet.degraded-distance": [GATE],
  "fleet.degraded-stratum": [GATE],
  // chrony's ntsrotate; stratum1-nts-sync.timer reads it again at every run.
  "fleet.nts-keys": [CHRONY],
  // Read by stratum1-nts-sync at every run of its timer.
  "fleet.nts-source": [],
  "fleet.status": [DAEMON, GATE],
};

/** The services that read any of these keys, in restart order; a key not in the table (none passes the schema) counts as stratum1d's. */
export function servicesFor(keys: readonly string[]): ServiceName[] {
  const readers = (k: string): readonly ServiceName[] => (k in KEY_READERS ? KEY_READERS[k as ConfigKey] : [DAEMON]);
  return SERVICES.filter((s) => keys.some((k) => readers(k).includes(s)));
}

/** The keys a service reads, in the schema's order. */
export function keysReadBy(service: ServiceName): ConfigKey[] {
  return (Object.keys(KEY_READERS) as ConfigKey[]).filter((k) => KEY_READERS[k].includes(service));
}
