/*
 * The front panel's I2C bus as the service opens it, without an I2C adapter
 * (none exists on this machine; the display itself is tested through the
 * LCD emulator): each way it can fail is one error naming the cause and the
 * fix, and a write goes through the addon's thread pool and back without
 * losing its buffer.
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { I2cBusDevice } from "../../src/hal/linux/i2cBusDevice.js";
import { errnoName, native } from "../../src/hal/linux/native.js";

test("a missing bus says how to enable it; the front panel takes that as 'no display'", async () => {
  const bus = new I2cBusDevice(17, "/dev/i2c-stratum1-test-none");
  await assert.rejects(bus.write(0x27, Buffer.from([0x08])), /\/dev\/i2c-stratum1-test-none does not exist: add dtparam=i2c_arm=on/);
  await bus.close();
});

test("a file that is not an I2C bus is refused at open, by asking it for its I2C functions", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-i2c-"));
  try {
    const plain = join(dir, "i2c-1");
    writeFileSync(plain, "");
    for (const path of [plain, "/dev/null"]) {
      const bus = new I2cBusDevice(1, path);
      await assert.rejects(bus.write(0x27, Buffer.from([0x08])), new RegExp(`ENOTTY: ${path} is not an I2C bus`));
      await bus.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the write runs on the thread pool and answers with the kernel's errno; an address beyond 7 bits is refused before it", async () => {
  const calls = native();
  const fd = openSync("/dev/null", "w");
  try {
    // /dev/null takes no I2C_SLAVE: the write is refused there, by the kernel, not by a guess.
    const pending = calls.i2cWrite(fd, 0x27, Buffer.from([1, 2, 3]));
    assert.ok(pending instanceof Promise, "asynchronous: an I2C write takes milliseconds on the bus");
    assert.equal(errnoName(await pending), "ENOTTY");
    assert.throws(() => calls.i2cWrite(fd, 0x78, Buffer.from([1])), /7 bits/);
    assert.throws(() => calls.i2cWrite(fd, -1, Buffer.from([1])), /7 bits/);
  } finally {
    closeSync(fd);
  }
});
