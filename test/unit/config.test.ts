import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommandLine } from "../../src/config/args.js";
import { ConfigError } from "../../src/config/load.js";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

test("every bad line of a config file is reported at once, naming line, key and fix", () => {
  const dir = mkdtempSync(join(tmpdir(), "s1cfg-"));
  const file = join(dir, "stratum1.conf");
  writeFileSync(file, ["# comment", "serial.path = /dev/ttyAMA0", "serial.buad = 9600", "serial.baud = 9601", "chrony.sock = relative.sock", "just words", "time.floor = yesterday"].join("\n"));
  const problems = problemsOf(() => parseCommandLine(["--config", file]));
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.match(problems[0]!, /:3: unknown key 'serial.buad'; did you mean 'serial.baud'\?/);
  assert.match(problems[1]!, /:4: serial.baud = '9601' is not valid: use auto or one of .*9600/);
  assert.match(problems[2]!, /:5: chrony.sock .* absolute path/);
  assert.match(problems[3]!, /:6: 'just words' is not 'key = value'/);
  assert.match(problems[4]!, /:7: time.floor .* YYYY-MM-DD/);
});

test("flags override the file; the stable flags exist exactly so", () => {
  const dir = mkdtempSync(join(tmpdir(), "s1cfg-"));
  const file = join(dir, "stratum1.conf");
  writeFileSync(file, "serial.baud = 38400\nshm.unit = 2\n");
  const { config } = parseCommandLine(["--config", file, "--serial", "/dev/ttyACM0", "--baud", "9600", "--sock", "/run/x.sock", "--shm", "off"]);
  assert.equal(config["serial.path"], "/dev/ttyACM0");
  assert.equal(config["serial.baud"], 9600);
  assert.equal(config["chrony.sock"], "/run/x.sock");
  assert.equal(config["shm.unit"], null);
  assert.deepEqual(
    problemsOf(() => parseCommandLine(["--bogus"])),
    ["unknown option '--bogus'; see --help"],
  );
  assert.match(problemsOf(() => parseCommandLine(["--config", join(dir, "missing.conf")]))[0]!, /cannot read config file \(ENOENT\)/);
});

test("the shipped example config (systemd/stratum1.conf) is valid as it stands", () => {
  const file = new URL("../../../systemd/stratum1.conf", import.meta.url).pathname;
  const { config } = parseCommandLine(["--config", file]);
  assert.equal(config["serial.path"], "/dev/serial0");
  assert.equal(config["chrony.sock"], "/run/chrony/stratum1-nmea.sock");
  assert.equal(config["shm.unit"], null);
});

test("the display's keys: address in hex or auto, the backpack's pin map, pages by name; each mistake names its fix", () => {
  const { config } = parseCommandLine(["--set", "lcd.address=0x3F", "--set", "lcd.size=20x4", "--set", "lcd.pins=4,5,6,7,0,1,2,3", "--set", "lcd.pages=time,gps", "--set", "lcd.bus=off"]);
  assert.equal(config["lcd.address"], 0x3f);
  assert.equal(config["lcd.size"], "20x4");
  assert.equal(config["lcd.pins"], "4,5,6,7,0,1,2,3");
  assert.equal(config["lcd.pages"], "time,gps");
  assert.equal(config["lcd.bus"], null);
  assert.equal(parseCommandLine([]).config["lcd.address"], "auto");
  const problems = problemsOf(() => parseCommandLine(["--set", "lcd.address=0x99", "--set", "lcd.pins=0,1,2,3,4,5,6,6", "--set", "lcd.pages=time,weather", "--set", "lcd.size=40x2"]));
  assert.equal(problems.length, 4, problems.join("\n"));
  assert.match(problems[0]!, /lcd\.address .*0x27 or 0x3f .*i2cdetect/);
  assert.match(problems[1]!, /lcd\.pins .*rs,rw,en,backlight,d4,d5,d6,d7/);
  assert.match(problems[2]!, /lcd\.pages .*time, sync, gps, receiver, host, ntp/);
  assert.match(problems[3]!, /lcd\.size .*16x2, 20x4/);
});

test("metrics: off by default; --metrics ADDRESS:PORT (IPv4 or [IPv6], no names), metrics.allow networks; each mistake names its fix", () => {
  const d = parseCommandLine([]).config;
  assert.equal(d["metrics.listen"], null, "no listener unless configured");
  assert.equal(d["metrics.allow"], null);
  const { config } = parseCommandLine(["--metrics", "192.168.10.5:9817", "--set", "metrics.allow=192.168.10.0/24, 2001:db8::/64"]);
  assert.equal(config["metrics.listen"], "192.168.10.5:9817");
  assert.equal(config["metrics.allow"], "192.168.10.0/24,2001:db8::/64");
  assert.equal(parseCommandLine(["--metrics", "[::1]:9817"]).config["metrics.listen"], "[::1]:9817");
  assert.equal(parseCommandLine(["--metrics", "off"]).config["metrics.listen"], null);
  for (const bad of ["9817", "localhost:9817", "192.168.10.5", "192.168.10.5:0", "192.168.10.5:70000", "300.1.1.1:9817", "[::g]:9817", "::1:9817"]) {
    assert.match(problemsOf(() => parseCommandLine(["--metrics", bad]))[0]!, /give the address to listen on and a port, like 192\.168\.10\.5:9817/, bad);
  }
  assert.match(problemsOf(() => parseCommandLine(["--set", "metrics.allow=192.168.10.0/33"]))[0]!, /metrics\.allow .* 192\.168\.10\.0\/24/);
});
