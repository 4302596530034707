#!/usr/bin/env bash
# image/customize.sh ROOTFS — turns a Debian/Raspberry Pi OS trixie root file system into
# a stratum1 appliance. Every product change to the image is here or in image/overlay/,
# so the real build (pi-gen's stage-stratum1) and the CI twin (image/twin/build.sh, from
# Debian's archive alone) make the same system. Runs on the build host as root; commands
# inside the image run through chroot (under qemu-user for arm64, via binfmt_misc).
#
# Needs: the repository built on the host (npm ci && npm run build: dist/ is architecture
# independent), the host's npm (its CLI runs in the image on the image's own Node, so the
# native addons compile against that Node), network access for apt and npm.
#   STRATUM1_SRC   the repository (default: this script's parent)
#   STRATUM1_NPM   an npm CLI directory (default: the host's npm)
#   STRATUM1_BUILD_CACHE  a host directory kept between builds: npm's downloads and the built
#                  modules (optional; see below)
#   STRATUM1_UPDATE_CERT  the owner's update signing certificate (PEM; image/update/make-owner-key.sh):
#                  the box's RAUC keyring, so only bundles the owner signed install (required)
set -euo pipefail
root="${1:?usage: customize.sh ROOTFS}"
root="$(cd "$root" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${STRATUM1_SRC:-$(dirname "$here")}"
npm_dir="${STRATUM1_NPM:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}"
app=/opt/stratum1

say() { echo "customize: $*"; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
list() { grep -v '^\s*#' "$1" | grep -v '^\s*$' | tr '\n' ' '; }

[ -f "$src/dist/src/cli/stratum1d.packed.js" ] || { echo "customize: $src/dist is missing: run 'npm ci && npm run build' first" >&2; exit 1; }
cert="${STRATUM1_UPDATE_CERT:-}"
{ [ -n "$cert" ] && [ -f "$cert" ]; } || { echo "customize: STRATUM1_UPDATE_CERT must name the owner's update certificate (make one with image/update/make-owner-key.sh; docs/updates.md)" >&2; exit 1; }
openssl x509 -in "$cert" -noout 2>/dev/null || { echo "customize: $cert is not a PEM X.509 certificate" >&2; exit 1; }
# shellcheck source=layout.env
. "$here/layout.env"
[ -f "$npm_dir/bin/npm-cli.js" ] || { echo "customize: no npm CLI at $npm_dir (set STRATUM1_NPM)" >&2; exit 1; }

# chroot needs a resolver and, for apt's maintainer scripts, /proc and /dev. Builders that
# already provide them (pi-gen, mmdebstrap's hooks) keep theirs.
# An empty resolv.conf, or systemd-resolved's link to a stub that exists only at run time, is
# replaced by the host's while this runs, then put back.
resolv="$root/etc/resolv.conf"
resolv_lent=""
if [ ! -s "$resolv" ]; then
  if [ -L "$resolv" ]; then mv "$resolv" "$resolv.stratum1-build"; fi
  cp /etc/resolv.conf "$resolv"
  resolv_lent=1
fi
mounted=()
for fs in proc sys dev; do
  if ! mountpoint -q "$root/$fs"; then mount --rbind "/$fs" "$root/$fs" && mount --make-rslave "$root/$fs" && mounted+=("$root/$fs"); fi
done
cleanup() {
  for m in "${mounted[@]}"; do umount -R "$m" 2>/dev/null || umount -lR "$m"; done
  rm -rf "$root/tmp/stratum1-npm" "$root/tmp/stratum1-npm-cache"
  # (A resolv.conf that a package made a link meanwhile is the system's own: kept.)
  if [ -n "$resolv_lent" ] && [ ! -L "$resolv" ]; then
    rm -f "$resolv"
    if [ -L "$resolv.stratum1-build" ]; then mv "$resolv.stratum1-build" "$resolv"; else : >"$resolv"; fi
  fi
  rm -f "$resolv.stratum1-build"
}
trap cleanup EXIT

say "packages: $(list "$here/packages")"
in_root apt-get update -qq
# shellcheck disable=SC2046
in_root apt-get install -y -qq --no-install-recommends $(list "$here/packages") >/dev/null
# Raspberry Pi OS Lite (pi-gen's stage2) brings an mDNS responder, which announces the box to
# whoever shares its network, and cloud-init, which runs as root whatever user-data the boot
# partition holds: neither belongs on a box on the internet. (Raspberry Pi Connect is a remote shell.)
gone=()
for pkg in avahi-daemon cloud-init rpi-cloud-init-mods rpi-connect-lite; do
  if in_root dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then gone+=("$pkg"); fi
done
if [ ${#gone[@]} -gt 0 ]; then
  say "removing ${gone[*]}"
  in_root apt-get purge -y -qq --autoremove "${gone[@]}" >/dev/null
fi
rm -rf "$root/etc/cloud" "$root/var/lib/cloud"
node_major="$(in_root node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || { echo "customize: the image's Node is $node_major; stratum1 needs >= 20 (trixie has 20)" >&2; exit 1; }

say "the app in $app, node_modules built by the image's Node $(in_root node --version) on $(in_root uname -m)"
rm -rf "$root$app"
mkdir -p "$root$app/dist" "$root$app/native"
cp -a "$src/dist/src" "$root$app/dist/src"
cp -a "$src/package.json" "$src/package-lock.json" "$src/README.md" "$src/docs" "$root$app/"
cp -a "$src/native/binding.gyp" "$src"/native/*.c "$root$app/native/"
cp -a "$src/systemd" "$root$app/systemd"
build_modules() {
  # shellcheck disable=SC2046
  in_root apt-get install -y -qq --no-install-recommends $(list "$here/build-packages") >/dev/null
  cp -a "$npm_dir" "$root/tmp/stratum1-npm"
  mkdir -p "$root/tmp/stratum1-npm-cache"
  if [ -n "$cache" ] && [ -d "$cache/npm" ]; then cp -a "$cache/npm/." "$root/tmp/stratum1-npm-cache/"; fi
  # The build machine's way to the npm registry (a proxy, a CA of its own) is lent to npm for
  # this build only; none of it stays in the image.
  local npm_env=(npm_config_nodedir=/usr npm_config_cache=/tmp/stratum1-npm-cache npm_config_update_notifier=false)
  local host_ca ca v
  host_ca="$(npm config get cafile 2>/dev/null || true)"
  for ca in "$host_ca" "${NODE_EXTRA_CA_CERTS:-}"; do
    if [ -n "$ca" ] && [ "$ca" != null ] && [ -f "$ca" ]; then
      cp "$ca" "$root/tmp/stratum1-npm/build-ca.crt"
      npm_env+=(npm_config_cafile=/tmp/stratum1-npm/build-ca.crt)
      break
    fi
  done
  for v in https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY; do
    if [ -n "${!v:-}" ]; then npm_env+=("$v=${!v}"); fi
  done
  # --omit=dev: production modules only; install scripts run, so the addons allowed in package.json
  # (epoll, for onoff) build here, for this architecture and this Node.
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 "${npm_env[@]}" sh -c "cd $app &&
    node /tmp/stratum1-npm/bin/npm-cli.js ci --omit=dev --no-audit --no-fund --loglevel=error &&
    node /tmp/stratum1-npm/node_modules/node-gyp/bin/node-gyp.js rebuild -C native --loglevel=error >/dev/null"
  if [ -n "$cache" ]; then mkdir -p "$cache/npm" && cp -a "$root/tmp/stratum1-npm-cache/." "$cache/npm/"; fi
  find "$root$app/native/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$root$app/native/build/Release" -mindepth 1 ! -name '*.node' -exec rm -rf {} +
}
# STRATUM1_BUILD_CACHE (the CI twin sets it; pi-gen does not): the built node_modules and addon,
# keyed by everything they are made from (the lockfile, the addon's source, the image's Node and
# CPU), so a rebuild under qemu is skipped when none of that changed.
cache="${STRATUM1_BUILD_CACHE:-}"
machine="$(in_root uname -m)"
key="$( (cat "$src/package-lock.json" "$src/native/binding.gyp" "$src"/native/*.c; in_root node --version) | sha256sum | cut -c1-16)"
cached="$cache/modules-$machine-$key.tar"
if [ -n "$cache" ] && [ -f "$cached" ]; then
  say "node_modules and addon from the build cache ($machine, $key)"
  tar -xf "$cached" -C "$root$app"
else
  build_modules
  if [ -n "$cache" ]; then
    rm -f "$cache/modules-$machine-"*.tar
    tar -cf "$cached" -C "$root$app" node_modules native/build
  fi
fi
# No compiler in the image, whether it was used here or came with the base.
# shellcheck disable=SC2046
in_root apt-get purge -y -qq --autoremove $(list "$here/build-packages") >/dev/null
chown -R root:root "$root$app"
(cd "$src" && printf 'stratum1 %s\nbuilt %s\n' "$(git describe --always --dirty 2>/dev/null || echo unknown)" "$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%FT%TZ)") >"$root$app/BUILD"

say "units, users, configuration"
install -m 0644 "$src/systemd/stratum1d.service" "$root/usr/lib/systemd/system/stratum1d.service"
install -D -m 0644 "$src/systemd/chrony.service.d/stratum1.conf" "$root/usr/lib/systemd/system/chrony.service.d/stratum1.conf"
install -D -m 0644 "$src/systemd/systemd-journal-upload.service.d/stratum1.conf" "$root/usr/lib/systemd/system/systemd-journal-upload.service.d/stratum1.conf"
install -m 0644 "$src/systemd/stratum1-log-forwarding.service" "$root/usr/lib/systemd/system/stratum1-log-forwarding.service"
# The fleet: the health gate, FRR's drop-in (its configuration from stratum1.conf), the NTS key
# sync of a follower. Each is skipped by its own ExecCondition unless stratum1.conf puts the box
# in a fleet, so a box becomes a fleet node by its configuration alone.
install -m 0644 "$src/systemd/stratum1-fleet.service" "$src/systemd/stratum1-nts-sync.service" "$src/systemd/stratum1-nts-sync.timer" "$root/usr/lib/systemd/system/"
install -D -m 0644 "$src/systemd/frr.service.d/stratum1.conf" "$root/usr/lib/systemd/system/frr.service.d/stratum1.conf"
install -D -m 0644 "$src/systemd/stratum1.sysusers" "$root/usr/lib/sysusers.d/stratum1.conf"
install -D -m 0644 "$src/systemd/stratum1.tmpfiles" "$root/usr/lib/tmpfiles.d/stratum1.conf"
install -D -m 0644 "$src/systemd/99-stratum1.rules" "$root/usr/lib/udev/rules.d/99-stratum1.rules"
install -D -m 0644 "$src/systemd/stratum1.conf" "$root/usr/share/stratum1/stratum1.conf"
# Owned by root whoever owns the checkout (sudo and sshd refuse files of another owner); git
# keeps no 0440, which sudo wants for its drop-ins.
cp -R --preserve=mode,timestamps --no-preserve=ownership "$here/overlay/." "$root/"
chmod 0440 "$root/etc/sudoers.d/stratum1-admin"
printf '#!/bin/sh\nexec /usr/bin/node %s/dist/src/cli/stratum1ctl.js "$@"\n' "$app" >"$root/usr/local/bin/stratum1ctl"
chmod 0755 "$root/usr/local/bin/stratum1ctl"
# The man pages, gzip'ed as Debian ships them (-n: no name or time stamp in the header, so a page
# gives the same bytes every build), so that 'man stratum1.conf' works on the box. Copied, not
# unpacked by dpkg, so a dpkg path-exclude for /usr/share/man (the CI twin's base has one) cannot
# drop them. Then man-db's index, for whatis and apropos, as its dpkg trigger would make it: as
# user man.
for page in "$src"/man/*.[1-9]; do
  section="${page##*.}"
  install -d -m 0755 "$root/usr/share/man/man$section"
  gzip -9n <"$page" >"$root/usr/share/man/man$section/$(basename "$page").gz"
  chmod 0644 "$root/usr/share/man/man$section/$(basename "$page").gz"
done
in_root start-stop-daemon --start --pidfile /dev/null --startas /usr/bin/mandb --oknodo --chuid man -- --quiet
in_root systemd-sysusers

say "updates: RAUC with the A/B slots of layout.env, the owner's keyring, the tryboot backend"
# compatible names the product and the CPU: a bundle for another product, or an amd64 twin's
# bundle on a Pi, is refused before anything is written.
arch="$(in_root dpkg --print-architecture)"
install -D -m 0644 "$here/layout.env" "$root/usr/share/stratum1/layout.env"
install -D -m 0644 "$cert" "$root/etc/rauc/keyring.pem"
part() { printf '/dev/disk/by-partuuid/%s-%02d' "$DISK_ID" "$1"; }
cat >"$root/etc/rauc/system.conf" <<CONF
# RAUC's view of this box (generated by image/customize.sh from image/layout.env; docs/updates.md).
[system]
compatible=$RAUC_COMPATIBLE-$arch
# The Raspberry Pi firmware's autoboot.txt and tryboot, through stratum1's backend.
bootloader=custom
# Each root slot keeps the status of what was installed into it (version, hashes, times) inside
# itself; nothing is written to /data, which updates never touch.
statusfile=per-slot

[keyring]
path=/etc/rauc/keyring.pem
# The owner's certificate must be for code signing (image/update/make-owner-key.sh makes it so).
check-purpose=codesign

[handlers]
bootloader-custom-backend=/usr/lib/stratum1/update/rauc-tryboot-backend
# Writes root= and rauc.slot= of the slot just installed into its cmdline.txt.
post-install=/usr/lib/stratum1/update/post-install

[slot.rootfs.0]
device=$(part "$PART_ROOT_A")
type=ext4
bootname=A

[slot.rootfs.1]
device=$(part "$PART_ROOT_B")
type=ext4
bootname=B

# A slot's boot partition (firmware, kernel, config.txt, cmdline.txt) goes with its root: a
# kernel update is as safe as the rest. Written raw (the bundle carries the FAT image), so RAUC
# never mounts it.
[slot.boot.0]
device=$(part "$PART_BOOT_A")
type=raw
parent=rootfs.0

[slot.boot.1]
device=$(part "$PART_BOOT_B")
type=raw
parent=rootfs.1
CONF
mkdir -p "$root/usr/lib/stratum1/update"
for tool in rauc-tryboot-backend:raucTrybootBackend post-install:raucPostInstall; do
  printf '#!/bin/sh\nexec /usr/bin/node %s/dist/src/cli/%s.js "$@"\n' "$app" "${tool#*:}" >"$root/usr/lib/stratum1/update/${tool%%:*}"
  chmod 0755 "$root/usr/lib/stratum1/update/${tool%%:*}"
done
# The operator: SSH keys only (from the boot partition), no password, sudo without one.
if ! in_root id admin >/dev/null 2>&1; then in_root useradd --create-home --shell /bin/bash admin; fi
in_root usermod -a -G sudo,adm,systemd-journal,_chrony,stratum1 admin
in_root passwd -q -l admin
in_root passwd -q -l root

# What must survive a reboot lives on the data partition (see overlay-init): stratum1.conf
# through this link, chrony's and stratum1d's state through BindPaths in their units, SSH keys by path.
rm -rf "$root/etc/stratum1"
ln -s /data/etc/stratum1 "$root/etc/stratum1"
mkdir -p "$root/data" "$root/media/rw" "$root/media/root-ro" "$root/boot/firmware"
rm -f "$root"/etc/ssh/ssh_host_*
echo stratum1 >"$root/etc/hostname"
grep -q '\sstratum1$' "$root/etc/hosts" 2>/dev/null || printf '127.0.1.1\tstratum1\n' >>"$root/etc/hosts"
# One machine id per box: overlay-init takes it from the data partition at every boot.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"

# fstab: no root line (the kernel mounts it read-only and overlay-init puts the overlay on top;
# a root line would make systemd remount the overlay), the boot partition read-only, /data.
fstab="$root/etc/fstab"
touch "$fstab"
sed -i -E '/^[^#[:space:]]+[[:space:]]+\/[[:space:]]/d; /^[^#]*[[:space:]]\/data[[:space:]]/d' "$fstab"
sed -i -E '/[[:space:]]\/boot\/firmware[[:space:]]/ s/^([^[:space:]]+[[:space:]]+\/boot\/firmware[[:space:]]+vfat[[:space:]]+)[^[:space:]]+/\1ro,nofail/' "$fstab"
echo "LABEL=S1DATA /data ext4 noatime,commit=5,errors=remount-ro,nofail 0 2" >>"$fstab"

say "services"
# The journal uploader is not enabled itself: it waits for network-online.target, which would hold up
# the boot of a box that forwards nothing; stratum1-log-forwarding starts it when log.remote is set.
# The fleet gate and FRR are enabled but skipped at every start while fleet.gate is off (their
# ExecCondition), and the NTS key sync's runs unless fleet.nts-keys = follow.
enable=(stratum1d.service stratum1-firstboot.service chrony.service ssh.service nftables.service stratum1-update-commit.service stratum1-log-forwarding.service
  stratum1-fleet.service frr.service stratum1-nts-sync.timer)
# Raspberry Pi OS brings NetworkManager (addresses and DNS); without it, systemd-networkd takes
# the address by DHCP and systemd-resolved the DNS servers that come with it.
if [ ! -e "$root/usr/lib/systemd/system/NetworkManager.service" ]; then
  in_root apt-get install -y -qq --no-install-recommends systemd-resolved >/dev/null
  enable+=(systemd-networkd.service systemd-resolved.service)
fi
in_root systemctl enable "${enable[@]}" >/dev/null 2>&1
for unit in hciuart.service bluetooth.service apt-daily.timer apt-daily-upgrade.timer man-db.timer systemd-timesyncd.service; do
  if [ -e "$root/usr/lib/systemd/system/$unit" ] || [ -e "$root/lib/systemd/system/$unit" ]; then in_root systemctl mask "$unit" >/dev/null 2>&1; fi
done

# The boot partition (pi-gen's /boot/firmware; the twin makes the same files).
boot="$root/boot/firmware"
if [ -f "$boot/config.txt" ]; then
  sed -i '/^# --- stratum1 (added by image\/customize.sh) ---$/,/^# --- end stratum1 ---$/d' "$boot/config.txt"
  cat "$here/boot/config.txt" >>"$boot/config.txt"
fi
if [ -f "$boot/cmdline.txt" ]; then
  # No serial console on the receiver's UART; a read-only root under the overlay; one line.
  tr -s ' \n' '  ' <"$boot/cmdline.txt" | sed -E 's/(^| )console=(serial0|ttyAMA0|ttyS0)(,[0-9]+)?( |$)/ /g; s/(^| )(init=[^ ]*|rw|ro)( |$)/ /g; s/(^| )(init=[^ ]*|rw|ro)( |$)/ /g; s/ +/ /g; s/^ //; s/ $//' >"$boot/cmdline.txt.new"
  # This is slot A's boot partition: root A by PARTUUID and rauc.slot=A, which RAUC reads to know
  # the booted slot (the post-install handler writes slot B's when it installs there); panic=10:
  # a kernel that panics during a trial reboots, and the firmware returns to the committed slot.
  sed -i -E 's/(^| )(root=[^ ]*|rauc\.slot=[^ ]*|panic=[^ ]*)( |$)/ /g; s/(^| )(root=[^ ]*|rauc\.slot=[^ ]*|panic=[^ ]*)( |$)/ /g; s/ +/ /g; s/^ //; s/ $//' "$boot/cmdline.txt.new"
  printf '%s root=PARTUUID=%s-%02d rauc.slot=A panic=10 ro init=/usr/lib/stratum1/overlay-init\n' "$(cat "$boot/cmdline.txt.new")" "$DISK_ID" "$PART_ROOT_A" >"$boot/cmdline.txt"
  rm "$boot/cmdline.txt.new"
fi
# cloud-init's seed files (pi-gen's stage2 puts them there); the owner's README is on the card's
# first partition now (make-disk.sh), not on a slot's boot partition, which an update replaces.
rm -f "$boot/user-data" "$boot/meta-data" "$boot/network-config" "$boot/stratum1-README.txt"

in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/tmp/* "$root"/var/tmp/*
say "done"
