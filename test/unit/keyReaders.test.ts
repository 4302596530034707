/*
 * The one table of who reads which stratum1.conf key (config/keyReaders.ts),
 * checked against the code that reads them: every key is changed to another
 * valid value on four boxes (the appliance's defaults, a Pi in a fleet with
 * NTS, a Pi whose chrony reads the pulse itself, a stratum-2 VM), and chrony's generated configuration, FRR's files and
 * firewall, and everything stratum1-fleetd takes from stratum1.conf must
 * change for exactly the keys the table gives chrony, FRR and the gate. Then
 * `config set` as an operator uses it: the restarts it names for fleet keys,
 * in order, what it runs with --restart, and what it refuses.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chronyConf } from "../../src/chrony/chronyConf.js";
import { CHRONY_BASELINE } from "../../src/chrony/chronyFeatures.js";
import type { CtlIo } from "../../src/cli/ctl/command.js";
import { journalUploadConf } from "../../src/cli/ctl/logForwarding.js";
import { runCtl } from "../../src/cli/ctl/run.js";
import { KEY_READERS, keysReadBy, SERVICES, type ServiceName, servicesFor } from "../../src/config/keyReaders.js";
import { applySetting } from "../../src/config/load.js";
import { type Config, type ConfigKey, SCHEMA } from "../../src/config/schema.js";
import { fleetFirewall } from "../../src/fleet/fleetFirewall.js";
import { frrConf, frrDaemons } from "../../src/fleet/frrConf.js";
import { fleetProblems, gateRun } from "../../src/fleet/gateSettings.js";
import { configWith } from "../support/config.js";

/** Another valid value for every key; the test fails on a key without one, so a new key is checked too. */
const OTHER: Record<ConfigKey, string> = {
  "serial.path": "/dev/ttyACM0",
  "serial.baud": "38400",
  "chrony.sock": "/run/chrony/other-nmea.sock",
  "shm.unit": "2",
  "pps.sysfs": "/sys/class/pps/pps1",
  "pps.gpio": "18",
  "pps.sock": "/run/chrony/other-pps.sock",
  "pps.shm": "1",
  "pps.edge": "before",
  "pps.holdover": "30",
  "holdover.trust": "7200",
  "chrony.monitor": "127.0.0.1:10323",
  "chrony.control": "/run/chrony/other.sock",
  "lcd.bus": "3",
  "lcd.address": "0x3f",
  "lcd.size": "20x4",
  "lcd.pins": "4,5,6,7,0,1,2,3",
  "lcd.pages": "time,sync",
  "lcd.page": "5",
  "capture.socket": "/run/stratum1/other.sock",
  "control.socket": "/run/stratum1/other-control.sock",
  "state.dir": "/var/lib/other",
  "status.path": "/run/stratum1/other.json",
  "metrics.listen": "127.0.0.1:9817",
  "metrics.allow": "192.168.10.0/24",
  "time.floor": "2027-01-01",
  "time.utc-holdoff": "0",
  "time.leap-list": "/usr/share/zoneinfo/other.list",
  "time.settle": "5",
  "ntp.servers": "time.example.net",
  "ntp.allow": "192.168.0.0/16",
  "ntp.ratelimit": "off",
  "nts.cert": "/etc/stratum1/other.crt",
  "nts.key": "/etc/stratum1/other.key",
  "update.commit-timeout": "600",
  "log.level": "debug",
  "log.remote": "http://logs.example.net",
  "serial.target-baud": "115200",
  "gps.configure": "off",
  "gps.nmea": "RMC,GGA,ZDA",
  "gps.pulse-width": "200",
  "gps.cable-delay": "60",
  "gps.survey-time": "7200",
  "gps.survey-accuracy": "5",
  "gps.jamming-level": "off",
  "gps.spoofing-alarm": "off",
  "gps.network-limit": "100",
  "fleet.gate": "on",
  "fleet.receiver": "off",
  "fleet.asn": "64999",
  "fleet.router-id": "192.0.2.99",
  "fleet.peers": "2001:db8:a::9 as 64500, 192.0.2.9 as 64500",
  "fleet.own": "2001:db8:123::9",
  "fleet.backup": "2001:db8:123::8",
  "fleet.prepend": "3",
  "fleet.degraded-prepend": "8",
  "fleet.bfd": "off",
  "fleet.timers": "5 15",
  "fleet.check": "5",
  "fleet.fail": "4",
  "fleet.pass": "5",
  "fleet.hold-down": "120",
  "fleet.lifetime": "30",
  "fleet.bad-offset": "100",
  "fleet.bad-distance": "2000",
  "fleet.bad-stratum": "10",
  "fleet.bad-age": "8192",
  "fleet.degraded-offset": "20",
  "fleet.degraded-distance": "200",
  "fleet.degraded-stratum": "6",
  "fleet.nts-keys": "follow",
  "fleet.nts-source": "stratum1-nts@pi.example.net",
  "fleet.status": "/run/stratum1-fleet/other.json",
};

const FLEET = {
  "fleet.gate": "on",
  "fleet.asn": "64601",
  "fleet.router-id": "192.0.2.11",
  "fleet.peers": "2001:db8:a::1 as 64500, 192.0.2.1 as 64500",
  "fleet.own": "2001:db8:123::1",
  "fleet.backup": "2001:db8:123::2, 203.0.113.2",
  "nts.cert": "/etc/stratum1/fleet.crt",
  "nts.key": "/etc/stratum1/fleet.key",
};

const BOXES: Record<string, Config> = {
  "the appliance's defaults": configWith({}),
  "a Pi in a fleet with NTS": configWith(FLEET),
  // Set-up B: chrony reads the kernel's pulse itself, locked to the NMEA samples.
  "a Pi whose chrony reads /dev/pps0": configWith({ "pps.sock": "off" }),
  "a stratum-2 VM in a fleet": configWith({ ...FLEET, "chrony.sock": "off", "pps.sock": "off", "pps.sysfs": "off", "status.path": "off", "fleet.receiver": "off" }),
};

/** What each service makes of a config; a key it reads changes it. (stratum1d reads too many places to be perturbed this way.) */
const MADE_BY: Partial<Record<ServiceName, (cfg: Config) => string>> = {
  "chrony.service": (cfg) => chronyConf(cfg) + chronyConf(cfg, undefined, undefined, { ...CHRONY_BASELINE, leapseclist: true }),
  "frr.service": (cfg) => frrConf(cfg) + JSON.stringify(frrDaemons(cfg)) + fleetFirewall(cfg),
  "stratum1-fleet.service": (cfg) => JSON.stringify(gateRun(cfg)),
  "systemd-journal-upload.service": (cfg) => (cfg["log.remote"] === null ? "off" : journalUploadConf(cfg["log.remote"], "stratum1.conf")),
};

test("the table lists every key of the schema, in the schema's order, each with services in restart order", () => {
  assert.deepEqual(Object.keys(KEY_READERS), Object.keys(SCHEMA));
  assert.deepEqual(Object.keys(OTHER).sort(), Object.keys(SCHEMA).sort(), "the test has another value for every key");
  for (const [key, services] of Object.entries(KEY_READERS)) {
    assert.deepEqual(
      [...services],
      SERVICES.filter((s) => services.includes(s)),
      `${key}: listed in restart order`,
    );
  }
});

for (const [service, made] of Object.entries(MADE_BY) as Array<[ServiceName, (cfg: Config) => string]>) {
  test(`${service}: what it is made from changes for exactly the keys the table says it reads`, () => {
    const changedBy: string[] = [];
    for (const key of Object.keys(SCHEMA) as ConfigKey[]) {
      const changes = Object.values(BOXES).some((base) => {
        const other = structuredClone(base);
        const problems: string[] = [];
        applySetting(other, key, OTHER[key], key, problems);
        assert.deepEqual(problems, [], `${key} = ${OTHER[key]} is valid`);
        return made(other) !== made(base);
      });
      if (changes) changedBy.push(key);
    }
    assert.deepEqual(changedBy, keysReadBy(service));
  });
}

test("the bases are boxes whose fleet settings work, so a change shows in FRR's configuration rather than in an empty one", () => {
  for (const [name, cfg] of Object.entries(BOXES)) assert.deepEqual(fleetProblems(cfg), [], name);
});

test("restarts: chrony first, then stratum1d, the gate, FRR; a key read when used restarts nothing", () => {
  assert.deepEqual(servicesFor(["ntp.servers", "serial.baud"]), ["chrony.service", "stratum1d.service"]);
  assert.deepEqual(servicesFor(["fleet.own"]), ["stratum1-fleet.service", "frr.service"]);
  assert.deepEqual(servicesFor(["fleet.gate"]), ["stratum1d.service", "stratum1-fleet.service", "frr.service"]);
  assert.deepEqual(servicesFor(["fleet.bad-offset"]), ["stratum1-fleet.service"]);
  assert.deepEqual(servicesFor(["fleet.timers", "fleet.nts-keys"]), ["chrony.service", "frr.service"]);
  assert.deepEqual(servicesFor(["fleet.status"]), ["stratum1d.service", "stratum1-fleet.service"]);
  assert.deepEqual(servicesFor(["update.commit-timeout", "fleet.nts-source"]), []);
});

async function ctl(argv: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CtlIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, env };
  const code = await runCtl(argv, io);
  return { code, out, err };
}

test("config set on fleet keys: says which services to restart, and with --restart restarts them in that order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-readers-"));
  const file = join(dir, "stratum1.conf");
  writeFileSync(
    file,
    "# a Pi in a fleet\n" +
      Object.entries(FLEET)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(""),
  );
  const own = await ctl(["config", "set", "--config", file, "fleet.own=2001:db8:123::7"]);
  assert.equal(own.code, 0, own.err);
  assert.match(own.out, /^to apply: sudo systemctl restart stratum1-fleet frr {3}\(or run this again with --restart\)$/m);
  const nts = await ctl(["config", "set", "--config", file, "fleet.nts-keys=follow", "fleet.nts-source=stratum1-nts@pi.example.net"]);
  assert.match(nts.out, /^to apply: sudo systemctl restart chrony {3}/m);
  const later = await ctl(["config", "set", "--config", file, "update.commit-timeout=1200"]);
  assert.equal(later.code, 0, later.err);
  assert.match(later.out, /^nothing to restart: these keys are read when they are used/m);

  // A systemctl that writes down what it is asked, first in PATH.
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "$@" >> ${join(dir, "systemctl.log")}\n`);
  chmodSync(join(bin, "systemctl"), 0o755);
  const off = await ctl(["config", "set", "--restart", "--config", file, "fleet.gate=off"], { PATH: `${bin}:${process.env.PATH}` });
  assert.equal(off.code, 0, off.err);
  assert.equal(readFileSync(join(dir, "systemctl.log"), "utf8"), "restart stratum1d.service\nrestart stratum1-fleet.service\nrestart frr.service\n");
  assert.match(off.out, /restarted stratum1d\.service\nrestarted stratum1-fleet\.service\nrestarted frr\.service\n$/);
});

test("config set refuses a fleet the gate could not run: fleet.gate = on without its AS number, routers or addresses writes nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-readers-"));
  const file = join(dir, "stratum1.conf");
  writeFileSync(file, "serial.baud = 9600\n");
  const r = await ctl(["config", "set", "--config", file, "fleet.gate=on"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /nothing written; the file would have these problems:/);
  assert.match(r.err, /fleet\.gate = on needs fleet\.asn/);
  assert.match(r.err, /fleet\.gate = on needs fleet\.peers/);
  assert.equal(readFileSync(file, "utf8"), "serial.baud = 9600\n");
  const all = await ctl(["config", "set", "--config", file, ...Object.entries(FLEET).map(([k, v]) => `${k}=${v}`)]);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /^to apply: sudo systemctl restart chrony stratum1d stratum1-fleet frr /m);
});
