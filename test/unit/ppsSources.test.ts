/* The pulse sources at their lowest level: the sysfs assert file, the gpiochip base lookup. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { PulseEdge } from "../../src/hal/pulseSource.js";
import { headerGpioBase } from "../../src/hal/linux/gpioChipBase.js";
import { KernelPpsSysfs, parseAssert } from "../../src/hal/linux/kernelPpsSysfs.js";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";

test("assert lines parse to the kernel's exact stamp and sequence; anything else is refused", () => {
  assert.deepEqual(parseAssert("1795306945.000001234#42\n"), { at: { sec: 1795306945, nsec: 1234 }, seq: 42 });
  for (const bad of ["", "1795306945.1234#4\n", "1795306945.000001234\n", "x.000000000#1", "1795306945.000001234#"]) assert.equal(parseAssert(bad), undefined, bad);
});

function watch(dir: string, clock: VirtualClock) {
  const edges: PulseEdge[] = [];
  const problems: Array<string | undefined> = [];
  const src = new KernelPpsSysfs(dir, clock);
  src.start({ edge: (e) => edges.push(e), clearEdge: () => undefined, clearWanted: () => false, caughtUp: () => undefined, problem: (p) => problems.push(p) });
  return { src, edges, problems };
}

test("kernel PPS: each new assert is one edge; the value found at start is history; missed edges show as a sequence gap", () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-sysfs-"));
  try {
    const kernel = new FakeKernelPps(dir);
    kernel.assert({ sec: 100, nsec: 5 });
    const clock = new VirtualClock(100.5e6);
    const { src, edges } = watch(dir, clock);
    clock.advanceTo(101.05e6);
    assert.equal(edges.length, 0, "the edge from before start is not reported");
    kernel.assert({ sec: 101, nsec: 7 });
    clock.advanceTo(101.2e6);
    kernel.assert({ sec: 102, nsec: 9 });
    kernel.assert({ sec: 103, nsec: 11 });
    clock.advanceTo(103.2e6);
    src.stop();
    assert.deepEqual(edges, [
      { at: { sec: 101, nsec: 7 }, seq: 2 },
      { at: { sec: 103, nsec: 11 }, seq: 4 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kernel PPS: clear edges are read only while someone records, with the kernel's stamps", () => {
  const dir = mkdtempSync(join(tmpdir(), "s1-sysfs-"));
  try {
    const kernel = new FakeKernelPps(dir);
    let recording = false;
    const clock = new VirtualClock(100.5e6);
    const clears: PulseEdge[] = [];
    const src = new KernelPpsSysfs(dir, clock);
    src.start({ edge: () => undefined, clearEdge: (e) => clears.push(e), clearWanted: () => recording, caughtUp: () => undefined, problem: () => undefined });
    kernel.clear({ sec: 100, nsec: 600_000_000 });
    clock.advanceTo(100.8e6);
    assert.deepEqual(clears, [], "not asked for: the clear file is not even read");
    recording = true;
    clock.advanceTo(100.9e6);
    kernel.clear({ sec: 101, nsec: 100_000_123 });
    clock.advanceTo(101.2e6);
    src.stop();
    assert.deepEqual(clears, [{ at: { sec: 101, nsec: 100_000_123 }, seq: 2 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kernel PPS: a missing device is one problem line naming the overlay, and recovery is reported", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "s1-sysfs-")), "pps0");
  const clock = new VirtualClock(100e6);
  const { src, problems } = watch(dir, clock);
  clock.advanceTo(102e6);
  assert.equal(problems.length, 1, "reported once, not on every read");
  assert.match(problems[0]!, /does not exist: is 'dtoverlay=pps-gpio,gpiopin=N' in config\.txt/);
  new FakeKernelPps(dir);
  clock.advanceTo(102.5e6);
  src.stop();
  assert.deepEqual(problems.slice(1), [undefined]);
  rmSync(join(dir, ".."), { recursive: true, force: true });
});

test("gpiochip base: the header's chip by label (Pi 4: 512, Pi 5: 571), the lowest base on older kernels", () => {
  const root = mkdtempSync(join(tmpdir(), "s1-gpio-"));
  const chip = (name: string, label: string, base: number) => {
    mkdirSync(join(root, name), { recursive: true });
    writeFileSync(join(root, name, "label"), `${label}\n`);
    writeFileSync(join(root, name, "base"), `${base}\n`);
  };
  try {
    chip("gpiochip512", "pinctrl-bcm2711", 512);
    chip("gpiochip570", "raspberrypi-exp-gpio", 570);
    assert.equal(headerGpioBase(root), 512);
    rmSync(root, { recursive: true });
    chip("gpiochip571", "pinctrl-rp1", 571);
    chip("gpiochip512", "gpio-brcmstb@107d508500", 512);
    assert.equal(headerGpioBase(root), 571);
    rmSync(root, { recursive: true });
    chip("gpiochip504", "raspberrypi-exp-gpio", 504);
    chip("gpiochip0", "unknown", 0);
    assert.equal(headerGpioBase(root), 0);
    assert.throws(() => headerGpioBase(join(root, "nope")), /no sysfs GPIO/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
