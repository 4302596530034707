/*
 * The arm64 twin image, built from Debian trixie's archive by the same
 * customize.sh and overlay as the real image, read as a disk: its A/B
 * partition table (image/layout.env), autoboot.txt on the owner's partition,
 * slot A's config.txt and cmdline.txt (mtools), the root and data partitions
 * (debugfs), the app and its native addons built for aarch64, RAUC's
 * configuration, and the units as systemd's own tools judge them.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { REPO, twin, Ext4Partition, fatFile, fatList, partitions, type Partition } from "../support/twin.js";

let dir = "";
let img = "";
let parts: Partition[] = [];
let root: Ext4Partition;
let data: Ext4Partition;
const env = Object.fromEntries(
  readFileSync(join(REPO, "image/layout.env"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split("=") as [string, string]),
);
/** A partition by its number in layout.env (partitions() also lists the extended one, 4). */
const part = (key: string): Partition => parts.find((p) => p.node.endsWith(`img${env[key]}`))!;
const scratch = mkdtempSync(join(tmpdir(), "stratum1-twinimg-"));

before(() => {
  dir = twin("arm64");
  img = join(dir, "images/stratum1.img");
  parts = partitions(img);
  root = Ext4Partition.extract(img, part("PART_ROOT_A"), join(scratch, "root.ext4"));
  data = Ext4Partition.extract(img, part("PART_DATA"), join(scratch, "data.ext4"));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

test("the A/B card of layout.env: the owner's FAT partition, boot A and B, root A and B, the data partition S1DATA, all at their final size", () => {
  assert.deepEqual(
    parts.map((p) => [Number(/(\d+)$/.exec(p.node)![1]), p.type, p.bootable]),
    [
      [1, "c", true],
      [2, "c", false],
      [3, "c", false],
      [4, "f", false],
      [5, "83", false],
      [6, "83", false],
      [7, "83", false],
    ],
  );
  assert.equal(part("PART_BOOT_A").size, part("PART_BOOT_B").size, "the slots' boot partitions alike");
  assert.equal(part("PART_ROOT_A").size, part("PART_ROOT_B").size, "the slots' roots alike");
  assert.equal(part("PART_ROOT_A").size * 512, Number(env.ROOT_SLOT_MIB_DEFAULT) << 20);
  assert.equal(part("PART_DATA").size * 512, Number(env.DATA_MIB) << 20, "64 MiB of data partition");
  for (const p of parts) assert.equal(p.start % 8192, 0, `${p.node} is 4 MiB-aligned`);
  assert.equal(spawnSync("e2label", [data.file], { encoding: "utf8" }).stdout.trim(), "S1DATA");
  assert.equal(spawnSync("e2fsck", ["-fn", data.file]).status, 0, "a clean file system");
  assert.equal(spawnSync("e2fsck", ["-fn", root.file]).status, 0, "a clean file system");
  assert.match(execFileSync("sfdisk", ["--dump", img], { encoding: "utf8" }), new RegExp(`^label-id: 0x${env.DISK_ID}$`, "m"), "PARTUUIDs are DISK_ID-NN");
});

test("the owner's partition: autoboot.txt boots slot A and tries slot B (tryboot_a_b), the README says who holds the card holds the box", () => {
  const bootsel = part("PART_BOOTSEL");
  assert.equal(fatFile(img, bootsel, "autoboot.txt"), `[all]\ntryboot_a_b=1\nboot_partition=${env.PART_BOOT_A}\n[tryboot]\nboot_partition=${env.PART_BOOT_B}\n`);
  assert.match(fatFile(img, bootsel, "stratum1-README.txt"), /Whoever holds this card holds the box/);
  assert.deepEqual(
    fatList(img, bootsel)
      .map((f) => f.toLowerCase())
      .sort(),
    ["autoboot.txt", "stratum1-readme.txt"],
  );
  assert.ok(!fatList(img, part("PART_BOOT_A")).some((f) => /readme|user-data|meta-data|network-config/i.test(f)), "the slot's boot partition holds no owner's files or cloud-init seeds");
});

test("slot A's boot partition: pulse, UART and I2C in config.txt, Bluetooth off the UART per board; cmdline.txt without serial console, slot A's root by PARTUUID, read-only under overlay-init", () => {
  const bootA = part("PART_BOOT_A");
  const files = fatList(img, bootA);
  for (const f of ["config.txt", "cmdline.txt"])
    assert.ok(
      files.some((l) => l.toLowerCase() === f.toLowerCase()),
      `${f} in ${files.join(", ")}`,
    );
  const config = fatFile(img, bootA, "config.txt").split(/\r?\n/);
  for (const line of ["enable_uart=1", "dtoverlay=pps-gpio,gpiopin=18", "dtparam=i2c_arm=on", "arm_64bit=1"]) assert.ok(config.includes(line), `config.txt has ${line}`);
  for (const board of ["[pi3]", "[pi4]", "[pi02]"]) assert.equal(config[config.indexOf(board) + 1], "dtoverlay=disable-bt", `${board} gives the PL011 back to the header`);
  assert.equal(config[config.indexOf("[pi5]") + 1], "dtparam=uart0_console");
  assert.equal(config.filter((l) => l === "# --- stratum1 (added by image/customize.sh) ---").length, 1);
  const cmdline = fatFile(img, bootA, "cmdline.txt");
  assert.equal(cmdline.split("\n").filter((l) => l !== "").length, 1, "one line");
  const args = cmdline.trim().split(" ");
  assert.ok(!args.some((a) => /^console=(serial0|ttyAMA0|ttyS0)/.test(a)), cmdline);
  assert.ok(args.includes("console=tty1") && args.includes("rootwait"), "the rest kept");
  assert.deepEqual(
    args.filter((a) => /^(root|rauc\.slot|panic)=/.test(a)),
    [`root=PARTUUID=${env.DISK_ID}-0${env.PART_ROOT_A}`, "rauc.slot=A", "panic=10"],
  );
  assert.ok(args.includes("ro") && !args.includes("rw"));
  assert.deepEqual(
    args.filter((a) => a.startsWith("init=")),
    ["init=/usr/lib/stratum1/overlay-init"],
  );
});

test("root: the app with its production modules, native addons built for aarch64, Node 20 from trixie, no compiler left behind", () => {
  assert.match(root.cat("/opt/stratum1/BUILD"), /^stratum1 \S+\nbuilt \d{4}-/);
  assert.ok(root.stat("/opt/stratum1/dist/src/cli/stratum1d.packed.js")?.type === "file", "the service as the unit runs it, in one file");
  assert.equal(root.stat("/opt/stratum1/dist/test"), null, "no tests in the image");
  assert.equal(root.stat("/opt/stratum1/dist/sim"), null, "no simulator and no fakes in the image");
  assert.deepEqual(root.ls("/opt/stratum1/dist"), ["src"], "only the product's modules");
  assert.ok(root.stat("/opt/stratum1/dist/src/cli/panelNotice.js")?.type === "file", "the unit's ExecStopPost notice is there");
  const modules = root.ls("/opt/stratum1/node_modules");
  for (const m of ["onoff", "epoll", "prom-client"]) assert.ok(modules.includes(m), `${m} in ${modules.join(" ")}`);
  assert.ok(!modules.includes("@serialport"), "the serial port is the addon's, not node-serialport's");
  assert.ok(!modules.includes("i2c-bus"), "the I2C bus is the addon's too");
  for (const dev of ["typescript", "node-gyp", "@types"]) assert.ok(!modules.includes(dev), `no dev dependency ${dev}`);
  for (const addon of ["/opt/stratum1/native/build/Release/stratum1_native.node", "/opt/stratum1/node_modules/epoll/build/Release/epoll.node"]) {
    assert.equal(root.elfMachine(addon, join(scratch, "addon")), 183, `${addon} is aarch64`);
  }
  const status = root.cat("/var/lib/dpkg/status");
  assert.match(status, /^Package: nodejs\nStatus: install ok installed\n(?:.+\n)*?Version: 20\./m);
  for (const gone of ["g++", "make", "libnode-dev"]) assert.doesNotMatch(status, new RegExp(`^Package: ${gone.replace("+", "\\+")}\\nStatus: install ok installed`, "m"), `${gone} purged`);
  assert.ok(root.stat("/usr/share/zoneinfo/right/UTC"), "right/UTC for leapsectz");
});

test("root: no password anywhere, no host keys baked in, persistent state pointed at /data, fstab without a root line", () => {
  const shadow = root.cat("/etc/shadow");
  for (const user of ["root", "admin"]) assert.match(shadow, new RegExp(`^${user}:[!*]`, "m"), `${user} has no usable password`);
  assert.deepEqual(
    root.ls("/etc/ssh").filter((f) => f.startsWith("ssh_host_")),
    [],
  );
  assert.match(root.cat("/etc/ssh/sshd_config.d/stratum1.conf"), /^PasswordAuthentication no$/m);
  for (const f of ["/etc/ssh/sshd_config.d/stratum1.conf", "/etc/sudoers.d/stratum1-admin", "/etc/nftables.conf", "/usr/lib/stratum1/overlay-init"]) {
    assert.equal(root.stat(f)?.uid, 0, `${f} owned by root`);
  }
  assert.equal(root.stat("/etc/sudoers.d/stratum1-admin")?.mode, 0o440);
  assert.deepEqual(root.stat("/etc/stratum1")?.link, "/data/etc/stratum1");
  assert.equal(root.cat("/etc/machine-id"), "", "each box makes its own");
  const fstab = root
    .cat("/etc/fstab")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"));
  assert.ok(!fstab.some((l) => l.split(/\s+/)[1] === "/"), fstab.join("\n"));
  assert.ok(fstab.includes("LABEL=BOOTFS /boot/firmware vfat ro,nofail 0 2"), fstab.join("\n"));
  assert.ok(fstab.includes("LABEL=S1DATA /data ext4 noatime,commit=5,errors=remount-ro,nofail 0 2"));
  const wants = [...root.ls("/etc/systemd/system/multi-user.target.wants"), ...root.ls("/etc/systemd/system/sysinit.target.wants")];
  for (const u of ["stratum1d.service", "stratum1-firstboot.service", "chrony.service", "ssh.service", "nftables.service", "systemd-networkd.service", "systemd-resolved.service"])
    assert.ok(wants.includes(u), `${u} enabled`);
  // The fleet's units enabled everywhere, each skipped by its condition unless stratum1.conf puts the box in a fleet.
  for (const u of ["stratum1-fleet.service", "frr.service"]) assert.ok(wants.includes(u), `${u} enabled`);
  assert.ok(root.ls("/etc/systemd/system/timers.target.wants").includes("stratum1-nts-sync.timer"), "the NTS key sync's timer enabled");
  assert.match(root.cat("/usr/lib/systemd/system/frr.service.d/stratum1.conf"), /^ExecCondition=.* config is fleet\.gate=on$/m);
  assert.match(root.cat("/var/lib/dpkg/status"), /^Package: frr\nStatus: install ok installed/m);
  // Without NetworkManager, DNS comes from DHCP through systemd-resolved (for the pool's names).
  assert.equal(root.stat("/etc/resolv.conf")?.link, "../run/systemd/resolve/stub-resolv.conf");
  assert.match(root.cat("/etc/group"), /^_chrony:x:\d+:.*\badmin\b/m);
});

test("updates: RAUC's system.conf names the slots of layout.env, the owner's keyring is for code signing, only root may drive RAUC; avahi and cloud-init are gone", () => {
  const conf = root.cat("/etc/rauc/system.conf");
  assert.match(conf, /^compatible=stratum1-rpi-arm64$/m);
  assert.match(conf, /^bootloader=custom$/m);
  assert.match(conf, /^check-purpose=codesign$/m);
  const slots = [...conf.matchAll(/^\[slot\.(\w+)\.(\d)\]\ndevice=(\S+)\ntype=(\w+)\n(?:bootname=(\w)|parent=(\S+))$/gm)].map((m) => [m[1], m[2], m[3], m[4], m[5] ?? m[6]]);
  const dev = (k: string): string => `/dev/disk/by-partuuid/${env.DISK_ID}-0${env[k]}`;
  assert.deepEqual(slots, [
    ["rootfs", "0", dev("PART_ROOT_A"), "ext4", "A"],
    ["rootfs", "1", dev("PART_ROOT_B"), "ext4", "B"],
    ["boot", "0", dev("PART_BOOT_A"), "raw", "rootfs.0"],
    ["boot", "1", dev("PART_BOOT_B"), "raw", "rootfs.1"],
  ]);
  const keyring = root.cat("/etc/rauc/keyring.pem");
  const cert = spawnSync("openssl", ["x509", "-noout", "-ext", "extendedKeyUsage"], { input: keyring, encoding: "utf8" });
  assert.match(cert.stdout, /Code Signing/);
  for (const tool of ["rauc-tryboot-backend", "post-install"]) assert.equal(root.stat(`/usr/lib/stratum1/update/${tool}`)?.mode, 0o755, tool);
  assert.match(root.cat("/etc/dbus-1/system.d/stratum1-rauc.conf"), /<deny send_destination="de\.pengutronix\.rauc"\/>/);
  assert.ok(root.ls("/etc/systemd/system/multi-user.target.wants").includes("stratum1-update-commit.service"));
  const status = root.cat("/var/lib/dpkg/status");
  for (const gone of ["avahi-daemon", "cloud-init"]) assert.doesNotMatch(status, new RegExp(`^Package: ${gone}\nStatus: install ok installed`, "m"), `${gone} removed`);
  assert.equal(root.stat("/etc/cloud"), null);
  assert.match(status, /^Package: rauc\nStatus: install ok installed/m);
});

test("units in the image, judged by the image's own systemd (run under qemu): verify says nothing, stratum1d's exposure at most 2.5", () => {
  // The image's systemd-analyze, not the host's: trixie's units use keys an older systemd does not know.
  const rootDir = join(dir, "root");
  const verify = spawnSync(
    "chroot",
    [
      rootDir,
      "systemd-analyze",
      "verify",
      "--man=no",
      "stratum1d.service",
      "chrony.service",
      "stratum1-firstboot.service",
      "ssh.service",
      "nftables.service",
      "stratum1-update-commit.service",
      "rauc.service",
    ],
    {
      encoding: "utf8",
    },
  );
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal((verify.stdout + verify.stderr).trim(), "");
  const sec = spawnSync("chroot", [rootDir, "systemd-analyze", "security", "--offline=true", "stratum1d.service"], { encoding: "utf8" });
  const level = Number(/Overall exposure level for stratum1d\.service: ([\d.]+)/.exec(sec.stdout)?.[1]);
  assert.ok(level <= 2.5, `exposure ${level}\n${sec.stdout.slice(-500)}${sec.stderr}`);
});

test("root: the man pages gzip'ed in /usr/share/man, and the image's own man (run under qemu) finds, indexes and renders them", () => {
  const rootDir = join(dir, "root");
  const pages = [
    ["stratum1d", "8"],
    ["stratum1ctl", "8"],
    ["stratum1.conf", "5"],
  ] as const;
  for (const [name, section] of pages) {
    const path = `/usr/share/man/man${section}/${name}.${section}.gz`;
    const st = root.stat(path);
    assert.equal(st?.type, "file", `${path} on the disk`);
    assert.deepEqual([st.mode & 0o777, st.uid], [0o644, 0], `${path}: 0644, root's`);
    assert.equal(gunzipSync(readFileSync(join(rootDir, path))).toString(), readFileSync(join(REPO, "man", `${name}.${section}`), "utf8"), `${path} is man/${name}.${section}`);
  }
  // As an operator types it, at 80 columns; the image's groff is 1.23, the host's may be older.
  const man = (...args: string[]) =>
    spawnSync("chroot", [rootDir, "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8", "MANWIDTH=80", ...args], { encoding: "utf8", timeout: 120_000 });
  for (const [name, section] of pages) {
    const where = man("man", "-w", name);
    assert.equal(where.stdout.trim(), `/usr/share/man/man${section}/${name}.${section}.gz`, where.stderr);
    const page = man("man", "--warnings", name);
    assert.equal(page.status, 0, page.stderr);
    assert.equal(page.stderr, "", "no warning from the image's groff");
    assert.match(page.stdout, new RegExp(`^${name.toUpperCase().replace(".", "\\.")}\\(${section}\\)`), page.stdout.slice(0, 300));
    assert.match(page.stdout, new RegExp(`^NAME\\n\\s+${name.replace(".", "\\.")} - `, "m"));
    // whatis reads man-db's index: customize.sh made it, as the package's trigger would.
    const whatis = man("whatis", name);
    assert.match(whatis.stdout, new RegExp(`^${name.replace(".", "\\.")} \\(${section}\\)\\s+- `, "m"), whatis.stdout + whatis.stderr);
  }
  assert.match(man("man", "stratum1.conf").stdout, /^ {7}serial\.baud$/m, "the keys are in it");
});
