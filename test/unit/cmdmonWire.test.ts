/* chrony's wire primitives: the 32-bit Float, 64-bit-safe timespecs, addresses as chronyc prints them, refids. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  floatFromWire,
  floatToWire,
  ipv6FromString,
  ipv6ToString,
  readIpAddr,
  readTimespec,
  refidFromString,
  refidToHex,
  refidToString,
  writeIpAddr,
  writeTimespec,
  type IpAddr,
} from "../../src/chrony/cmdmon/wire.js";

test("Float: 0.5, 1 and −1 encode as chrony's exponent/coefficient words (worked by hand from util.c) and decode back", () => {
  // 0.5: exp = trunc(log2 0.5 + 1) = 0, coef = 0.5·2^25 = 2^24 > max, so one shift: coef 2^23, exp 1.
  assert.equal(floatToWire(0.5), (1 << 25) | (1 << 23));
  assert.equal(floatToWire(1), (2 << 25) | (1 << 23));
  // −1: the negative side has one more coefficient (2^24 fits), stored in 25-bit two's complement.
  assert.equal(floatToWire(-1), ((1 << 25) | (1 << 24)) >>> 0);
  assert.equal(floatFromWire((1 << 25) | (1 << 23)), 0.5);
  assert.equal(floatFromWire((2 << 25) | (1 << 23)), 1);
  assert.equal(floatFromWire(((1 << 25) | (1 << 24)) >>> 0), -1);
});

test("Float: every figure chronyd reports survives to 24 significant bits, whatever its sign and size", () => {
  for (const x of [1e-9, 2.5e-7, -3.7e-6, 0.0125, -12.345, 1.5e-5, 16, 64.5, 123456.789, -0.999999, 3e-12]) {
    const back = floatFromWire(floatToWire(x));
    assert.ok(Math.abs(back - x) <= Math.abs(x) * 2 ** -24, `${x} came back as ${back}`);
  }
  assert.equal(floatFromWire(floatToWire(0)), 0);
  assert.equal(floatFromWire(floatToWire(Number.NaN)), 0, "chronyd sends NaN as zero");
  assert.ok(floatFromWire(floatToWire(1e300)) > 1e18, "too large clamps to the largest Float, not to garbage");
  assert.ok(floatFromWire(floatToWire(-1e300)) < -1e18);
});

test("Timespec: 64-bit seconds split across two words; a 32-bit sender's TV_NOHIGHSEC reads as zero", () => {
  const buf = Buffer.alloc(12);
  writeTimespec(buf, 0, { sec: 2 ** 33 + 5, nsec: 999_999_999 });
  assert.deepEqual(readTimespec(buf, 0), { sec: 2 ** 33 + 5, nsec: 999_999_999 });
  buf.writeUInt32BE(0x7fffffff, 0);
  buf.writeUInt32BE(1_767_225_600, 4);
  buf.writeUInt32BE(2_000_000_000, 8);
  assert.deepEqual(readTimespec(buf, 0), { sec: 1_767_225_600, nsec: 999_999_999 }, "nanoseconds clamp as chronyc clamps them");
});

test("IPv6 addresses read as glibc's inet_ntop writes them (what chronyc -n prints)", () => {
  const cases: Array<[string, string]> = [
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"],
    ["0000:0000:0000:0000:0000:0000:0000:0000", "::"],
    ["0000:0000:0000:0000:0000:ffff:c000:0201", "::ffff:192.0.2.1"],
    ["0001:0000:0000:0001:0000:0000:0000:0001", "1:0:0:1::1"],
    ["2001:0db8:0000:0001:0001:0001:0001:0001", "2001:db8:0:1:1:1:1:1"],
    ["fe80:0000:0000:0000:0000:0000:0000:0000", "fe80::"],
  ];
  for (const [hex, text] of cases) {
    const bytes = Buffer.from(hex.replace(/:/g, ""), "hex");
    assert.equal(ipv6ToString(bytes), text, hex);
    assert.deepEqual(ipv6FromString(text), bytes, text);
  }
  assert.throws(() => ipv6FromString("1::2::3"), /not an IPv6 address/);
});

test("IPAddr: 20 bytes, family at 16; an unknown family reads as unspec, as chronyc reads it", () => {
  const buf = Buffer.alloc(20);
  const all: IpAddr[] = [{ family: "inet4", address: "192.0.2.1" }, { family: "inet6", address: "2001:db8::123" }, { family: "id", id: 7 }, { family: "unspec" }];
  for (const ip of all) {
    writeIpAddr(buf, 0, ip);
    assert.deepEqual(readIpAddr(buf, 0), ip);
  }
  writeIpAddr(buf, 0, { family: "inet4", address: "192.0.2.1" });
  assert.equal(buf.subarray(0, 4).toString("hex"), "c0000201", "in4 in network order at the start");
  assert.equal(buf.readUInt16BE(16), 1);
  buf.writeUInt16BE(9, 16);
  assert.deepEqual(readIpAddr(buf, 0), { family: "unspec" });
});

test("refids: chrony.conf's 'refid PPS' is 0x50505300; chronyc shows its printable bytes and its hex", () => {
  assert.equal(refidFromString("PPS"), 0x50505300);
  assert.equal(refidToString(0x50505300), "PPS");
  assert.equal(refidToString(refidFromString("NMEA")), "NMEA");
  assert.equal(refidToHex(0x50505300), "50505300");
  assert.equal(refidToString(0x7f7f0101), "", "the local reference's refid has no printable bytes");
});
