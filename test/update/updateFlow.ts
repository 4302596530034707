/*
 * npm run test:update — A/B updates end to end, with real RAUC (the twin's
 * own, inside the booted box) on a card image with the A/B layout:
 *   1. bundles: v1 and v2 built by image/bundle.sh from the amd64 twin's root,
 *      plus an unsigned one, one signed by a stranger, one for another product
 *   2. the card: a copy of the twin's disk image, its partitions on loop
 *      devices; the firmware's choice (autoboot.txt, the one-shot tryboot
 *      flag, cmdline.txt) is played by Card, since the firmware cannot run here
 *   3. boots in systemd-nspawn from the slot the firmware would choose, with a
 *      simulated receiver (a replayed capture on a pty, a fake kernel PPS):
 *      the three bad bundles are refused; v2 installs into B, the tryboot
 *      reboot starts B, which reaches good time and commits itself; v1 then
 *      installs into A, whose trial boot has no receiver, never reaches good
 *      time, and rolls back to B by itself; the rollback is an alarm in the
 *      update status until acknowledged
 *   4. /data is compared with what it was before the first install: byte for
 *      byte, but for chronyd's drift file, which chronyd rewrites at every
 *      shutdown whether or not an update happens
 * Last line: {"installed_and_committed": …, "refused_unsigned": …,
 * "rolled_back_on_bad_time": …, "data_kept": …}; exit 1 unless all are true.
 * Needs root, the amd64 twin (built here when missing) and rauc,
 * squashfs-tools, mtools, systemd-container on the host (.ci/setup).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BOX_ADDR, Container, mountCiOverlay, unmount } from "../support/nspawn.js";
import { REPO, TWIN_OUT } from "../support/twin.js";
import { bundle, makeKey, secondVersion, smallSigned, smallUnsigned, type Keys } from "./bundles.js";
import { Card, readLayout } from "./card.js";
import { simReceiverProcess, type SimProcess } from "./simProcess.js";

const COMMIT_TIMEOUT_S = 90;
const t0 = Date.now();
const say = (s: string): void => void process.stderr.write(`# [${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
const results = { installed_and_committed: false, refused_unsigned: false, rolled_back_on_bad_time: false, data_kept: false };
const cache = process.env.STRATUM1_CACHE ?? "/var/cache/stratum1-image";
const work = mkdtempSync("/var/tmp/stratum1-update-");
const bundles = join(work, "bundles");
const layout = readLayout(REPO);
let card: Card | undefined;
let sim: SimProcess | undefined;
let box: Container | undefined;
let booted: { slotMount: string; merged: string } | undefined;
let boots = 0;

const ciFiles = (cmdline: string): Record<string, string> => ({
  // As in the twin boot test: a container must not steer the host's clock; a fixed address.
  "etc/systemd/system/chrony.service.d/zz-ci.conf": "[Unit]\nConditionCapability=\n",
  "etc/default/chrony": 'DAEMON_OPTS="-F 1 -x"\n',
  "etc/systemd/network/10-ci.network": `[Match]\nName=host0\n\n[Network]\nAddress=${BOX_ADDR}/30\n`,
  // The simulated receiver's UART is a pty.
  "etc/systemd/system/stratum1d.service.d/zz-ci.conf": "[Service]\nDeviceAllow=char-pts rw\n",
  // A container shares the host's kernel command line: the one the firmware passed from the slot's
  // cmdline.txt is put in its place before RAUC reads it. And /dev in a container has no loop
  // devices, which RAUC mounts bundles with.
  "etc/ci/cmdline": cmdline + "\n",
  "etc/systemd/system/ci-firmware.service":
    "[Unit]\nDescription=CI: the firmware's kernel command line and loop devices\nDefaultDependencies=no\nBefore=sysinit.target rauc.service stratum1-update-commit.service\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/mount --bind /etc/ci/cmdline /proc/cmdline\nExecStart=/bin/sh -c 'for i in $(seq 0 63); do [ -e /dev/loop$i ] || mknod /dev/loop$i b 7 $i; done'\n",
  "etc/systemd/system/sysinit.target.d/zz-ci.conf": "[Unit]\nWants=ci-firmware.service\n",
});

async function boot(label: string, withReceiver: boolean): Promise<{ slot: string; tryboot: boolean }> {
  const c = card!;
  const choice = c.firmwareChoice();
  say(
    `boot ${label}: the firmware starts partition ${choice.bootPartition}${choice.tryboot ? " (tryboot)" : ""}, root partition ${choice.rootPartition}, slot ${choice.slot}${withReceiver ? "" : ", no receiver"}`,
  );
  boots++;
  const slotMount = join(work, `slot-${boots}`);
  mkdirSync(slotMount);
  execFileSync("mount", ["-o", "ro,noload", c.loops.get(choice.rootPartition)!, slotMount]);
  const merged = mountCiOverlay(slotMount, join(work, `ci-${boots}`), ciFiles(choice.cmdline));
  booted = { slotMount, merged };
  // nspawn runs the root read-only, so the mount points of the test's binds are made beforehand.
  mkdirSync(join(merged, "media/bundles"), { recursive: true });
  mkdirSync(join(merged, "media/sim-pps0"), { recursive: true });
  writeFileSync(join(merged, "media/sim-gps"), "");
  const bootDir = join(work, `bootfs-${boots}`);
  c.copyBootsel(bootDir);
  const extraArgs = ["--bind=/dev/loop-control", `--bind-ro=${bundles}:/media/bundles`];
  for (const n of Object.values(layout.parts)) extraArgs.push(`--bind=${c.loops.get(n)!}:/dev/disk/by-partuuid/${layout.diskId}-${String(n).padStart(2, "0")}`);
  if (withReceiver && sim) extraArgs.push(`--bind=${sim.device}:/media/sim-gps`, `--bind-ro=${sim.ppsDir}:/media/sim-pps0`);
  box = await Container.boot({ root: merged, data: join(work, "data"), boot: bootDir, log: join(work, `console-${boots}.log`), machine: "s1update", extraArgs });
  return { slot: choice.slot, tryboot: choice.tryboot };
}

function unmountSlot(): void {
  if (!booted) return;
  unmount(booted.merged);
  spawnSync("umount", [booted.slotMount]);
  booted = undefined;
}

async function powerOff(): Promise<void> {
  await box?.poweroff();
  box = undefined;
  unmountSlot();
}

/** The box rebooting itself: wait for the container to end. */
async function awaitReboot(ms: number): Promise<boolean> {
  const code = await box!.waitExit(ms);
  if (code === null) return false;
  box = undefined;
  unmountSlot();
  return true;
}

/** As an operator does (scp to /tmp): RAUC takes a plain bundle from RAM or a local disk, not from a bind of the host's. */
const copyIn = (name: string): string => `cp /media/bundles/${name} /tmp/${name}`;

function sh(cmd: string): { status: number | null; out: string } {
  const r = box!.run(["sh", "-c", cmd]);
  return { status: r.status, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

async function awaitGoodTime(seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds / 2; i++) {
    if (sh("stratum1ctl status >/dev/null").status === 0) return true;
    await sleep(2000);
  }
  say(`no good time after ${seconds} s:\n${sh("stratum1ctl status; chronyc -n sources; journalctl -b -u stratum1d --no-pager | tail -5").out}`);
  return false;
}

interface UpdateStatusJson {
  running: { version: string; slot: string | null };
  phase: string;
  rollback: { slot: string; version: string; reason: string; acknowledged: boolean } | null;
  slots: Array<{ name: string; version: string; state: string; booted: boolean; committed: boolean }>;
}
const updateStatus = (): UpdateStatusJson => JSON.parse(sh("stratum1ctl update status --json").out.replace(/^[^{]*/, "")) as UpdateStatusJson;
const autobootNormal = (): number => Number(/\[all\][^[]*boot_partition=(\d+)/.exec(card!.fatRead(layout.parts.bootsel!, "autoboot.txt") ?? "")?.[1]);

/** Every file under /data: path, type, mode, owner, bytes (sha256) or link target. */
function dataTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = join(rel, name);
      if (p === "lost+found") continue;
      const st = lstatSync(join(dir, p));
      const head = `${st.mode.toString(8)} ${st.uid}:${st.gid}`;
      if (st.isDirectory()) {
        out.set(p + "/", head);
        walk(p);
      } else if (st.isSymbolicLink()) out.set(p, `${head} -> ${readlinkSync(join(dir, p))}`);
      else
        out.set(
          p,
          `${head} ${createHash("sha256")
            .update(readFileSync(join(dir, p)))
            .digest("hex")}`,
        );
    }
  };
  walk("");
  return out;
}

async function main(): Promise<void> {
  // 1. Bundles.
  const twinDir = join(TWIN_OUT, "amd64");
  if (!existsSync(join(twinDir, "images/stratum1.img"))) {
    say(`no amd64 twin in ${twinDir}: building it (image/twin/build.sh)`);
    execFileSync(join(REPO, "image/twin/build.sh"), ["amd64", twinDir], { stdio: ["ignore", "ignore", "inherit"] });
  }
  const owner: Keys = { key: join(cache, "update-key/owner.key.pem"), cert: join(cache, "update-key/owner.cert.pem") };
  const keyring = readFileSync(join(twinDir, "root/etc/rauc/keyring.pem"), "utf8");
  if (!existsSync(owner.key) || readFileSync(owner.cert, "utf8") !== keyring) throw new Error(`the twin's keyring is not ${owner.cert}: rebuild the twin (image/twin/build.sh amd64 ${twinDir})`);
  const compatible = /^compatible=(\S+)/m.exec(readFileSync(join(twinDir, "root/etc/rauc/system.conf"), "utf8"))![1]!;
  mkdirSync(bundles);
  // STRATUM1_UPDATE_BUNDLES: v1/v2 bundles of an earlier run of this twin, to iterate on the boots
  // without waiting for mksquashfs (never set in CI).
  const reuse = process.env.STRATUM1_UPDATE_BUNDLES;
  let v2: string;
  if (reuse) {
    for (const f of ["v1.raucb", "v2.raucb"]) execFileSync("cp", [join(reuse, f), join(bundles, f)]);
    v2 = `${/^stratum1 (\S+)/.exec(readFileSync(join(twinDir, "root/opt/stratum1/BUILD"), "utf8"))![1]!}.next`;
    say(`bundles v1, v2 reused from ${reuse}`);
  } else {
    say(bundle(REPO, join(twinDir, "images"), owner, join(bundles, "v1.raucb")));
    v2 = secondVersion(REPO, join(twinDir, "root"), join(work, "v2-root"), join(work, "v2-images"));
    say(bundle(REPO, join(work, "v2-images"), owner, join(bundles, "v2.raucb")));
    rmSync(join(work, "v2-images"), { recursive: true, force: true });
  }
  const stranger = makeKey(REPO, join(work, "stranger"), "someone else");
  smallUnsigned(join(work, "b-unsigned"), compatible, join(bundles, "unsigned.raucb"));
  smallSigned(join(work, "b-foreign"), stranger, compatible, join(bundles, "foreign.raucb"));
  smallSigned(join(work, "b-compat"), owner, "stratum1-other-product", join(bundles, "other-product.raucb"));
  say(`bundles: ${readdirSync(bundles).join(", ")} (v2 = ${v2})`);

  // 2. The card, with the owner's files on its first partition as they would be written from a PC.
  execFileSync("cp", ["--sparse=always", join(twinDir, "images/stratum1.img"), join(work, "card.img")]);
  card = new Card(join(work, "card.img"), layout);
  card.attach();
  const conf =
    ["serial.path = /media/sim-gps", "serial.baud = 9600", "pps.sysfs = /media/sim-pps0", "ntp.servers = off", "lcd.bus = off", `update.commit-timeout = ${COMMIT_TIMEOUT_S}`].join("\n") + "\n";
  card.fatWrite(layout.parts.bootsel!, "stratum1.conf", conf, work);
  mkdirSync(join(work, "data"));
  execFileSync("mount", [card.loops.get(layout.parts.data!)!, join(work, "data")]);
  mkdirSync(join(work, "sim"));
  sim = await simReceiverProcess(join(work, "sim"));

  // 3. First boot (fills /data), then the data as an update will find it.
  await boot("1 (first boot)", true);
  if (!(await awaitGoodTime(180))) throw new Error("the twin never served good time with the simulated receiver");
  const first = updateStatus();
  say(`update status: running ${first.running.version} from ${first.running.slot}, phase ${first.phase}`);
  await powerOff();
  const dataBefore = dataTree(join(work, "data"));

  await boot("2", true);
  await awaitGoodTime(180);
  const autobootBefore = card.fatRead(layout.parts.bootsel!, "autoboot.txt");
  const refusals: Record<string, string> = {};
  for (const bad of ["unsigned", "foreign", "other-product"]) {
    const r = sh(`${copyIn(`${bad}.raucb`)} && stratum1ctl update install /tmp/${bad}.raucb`);
    refusals[bad] = r.out.trim().split("\n").pop() ?? "";
    say(`install ${bad}.raucb: exit ${r.status}: ${refusals[bad]}`);
    if (r.status === 0) refusals[bad] = "";
  }
  // Each refused for its own reason, said so that the operator knows what to fix.
  const why: Record<string, RegExp> = { unsigned: /the bundle is not signed \(/, foreign: /not signed with the owner's key/, "other-product": /for another product or CPU/ };
  results.refused_unsigned =
    Object.entries(why).every(([name, re]) => re.test(refusals[name] ?? "")) &&
    card.fatRead(layout.parts.bootsel!, "autoboot.txt") === autobootBefore &&
    card.fatRead(layout.parts.bootsel!, "stratum1-update.txt") === null;

  const inst = sh(`${copyIn("v2.raucb")} && stratum1ctl update install /tmp/v2.raucb --reboot`);
  say(`install v2 --reboot: exit ${inst.status}\n${inst.out.trim()}`);
  if (!/rebooting with "0 tryboot"/.test(inst.out)) throw new Error("install did not ask for the tryboot reboot");
  card.setTrybootFlag();
  if (!(await awaitReboot(120_000))) throw new Error("the box did not reboot after install --reboot");
  say(`after install: autoboot [all] boots ${autobootNormal()}, ${card.fatRead(layout.parts.bootsel!, "stratum1-update.txt")?.replace(/\n/g, " ")}`);

  const trial = await boot("3 (trial of v2)", true);
  let committed = false;
  for (let i = 0; i < (COMMIT_TIMEOUT_S + 60) / 2 && !committed; i++) {
    committed = autobootNormal() === layout.parts.bootB;
    if (!committed) await sleep(2000);
  }
  const afterCommit = updateStatus();
  say(
    `trial of B: committed=${committed}; running ${afterCommit.running.version} from ${afterCommit.running.slot}; ${sh("journalctl -b -u stratum1-update-commit --no-pager -o cat | tail -4").out.trim()}`,
  );
  results.installed_and_committed = trial.slot === "B" && trial.tryboot && committed && afterCommit.running.version === v2 && afterCommit.slots.find((s) => s.name === "B")?.committed === true;

  // 4. v1 into A, tried without a receiver: no good time, so the box rolls itself back to B.
  const inst1 = sh(`${copyIn("v1.raucb")} && stratum1ctl update install /tmp/v1.raucb --reboot`);
  say(`install v1 --reboot: exit ${inst1.status}: ${inst1.out.trim().split("\n").slice(-2).join(" / ")}`);
  if (/rebooting with "0 tryboot"/.test(inst1.out)) card.setTrybootFlag();
  await awaitReboot(120_000);
  const bad = await boot("4 (trial of v1, no receiver)", false);
  const rolledBack = await awaitReboot((COMMIT_TIMEOUT_S + 90) * 1000);
  say(`trial of ${bad.slot}${bad.tryboot ? " (tryboot)" : ""}: rebooted by itself=${rolledBack}`);
  if (!rolledBack) say(sh("journalctl -b -u stratum1-update-commit --no-pager -o cat | tail -8").out);
  if (!rolledBack) await powerOff();
  const after = await boot("5 (after the rollback)", true);
  const st = updateStatus();
  const alarm = sh("stratum1ctl update status").out;
  say(`after rollback: running ${st.running.version} from ${st.running.slot}; rollback ${JSON.stringify(st.rollback)}`);
  const ack = sh("stratum1ctl update acknowledge");
  const acked = updateStatus();
  results.rolled_back_on_bad_time =
    bad.slot === "A" &&
    bad.tryboot &&
    rolledBack &&
    after.slot === "B" &&
    st.running.version === v2 &&
    st.rollback?.slot === "A" &&
    st.rollback.acknowledged === false &&
    /no good time within/.test(st.rollback.reason) &&
    st.slots.find((s) => s.name === "A")?.state === "bad" &&
    /ALARM\s+ROLLED BACK/.test(alarm) &&
    ack.status === 0 &&
    acked.rollback?.acknowledged === true;
  await powerOff();

  // 5. /data: the same files with the same bytes, owners and modes as before the first install.
  // One file is the running system's, not the update's: chronyd rewrites its drift file when it
  // stops (every shutdown, update or not) and hourly, so across the four reboots it may differ;
  // it must still be chronyd's drift file (frequency and skew, in ppm). Nothing else may change,
  // appear or disappear.
  const dataAfter = dataTree(join(work, "data"));
  const DRIFT = "chrony/chrony.drift";
  const changed = [...new Set([...dataBefore.keys(), ...dataAfter.keys()])].filter((k) => dataBefore.get(k) !== dataAfter.get(k));
  const drift = readFileSync(join(work, "data", DRIFT), "utf8");
  say(`/data: ${dataBefore.size} entries before, ${dataAfter.size} after; changed: ${changed.join(", ") || "none"}; chrony.drift now '${drift.trim()}'`);
  const driftOk = !changed.includes(DRIFT) || (dataBefore.has(DRIFT) && /^\s*-?\d+\.\d+\s+\d+\.\d+\s*$/.test(drift));
  results.data_kept = dataBefore.size > 5 && changed.every((k) => k === DRIFT) && driftOk;
}

async function cleanup(): Promise<void> {
  await box?.poweroff().catch(() => undefined);
  unmountSlot();
  await sim?.stop();
  spawnSync("umount", [join(work, "data")]);
  card?.detach();
  if (process.env.STRATUM1_KEEP_UPDATE_WORK !== "1") rmSync(work, { recursive: true, force: true });
}

main()
  .catch((err: Error) => say(`FAILED: ${err.message}${box ? `\n${box.log().slice(-2000)}` : ""}`))
  .then(cleanup)
  .then(() => {
    say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    writeFileSync(1, JSON.stringify(results) + "\n");
    process.exitCode = Object.values(results).every((v) => v) ? 0 : 1;
  });
