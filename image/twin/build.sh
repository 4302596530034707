#!/usr/bin/env bash
# image/twin/build.sh ARCH OUT — the CI twin of the real image, from Debian trixie's archive
# alone (the Raspberry Pi archive is not reachable from CI): mmdebstrap makes the root,
# image/customize.sh does everything the real build's stage does, and make-disk.sh lays it
# out on the card's A/B layout (image/layout.env). Not bootable on a Pi: the Raspberry Pi
# kernel and firmware come from pi-gen. The amd64 twin is the same system for a CPU that
# systemd-nspawn can boot here (its card image is what the update test installs into).
#   OUT/root              the root file system
#   OUT/images/stratum1.img, boot.vfat, root.ext4   the card, and slot A's file systems for bundles
# The update signing certificate: STRATUM1_UPDATE_CERT, else a twin key made once in the cache
# (STRATUM1_CACHE/update-key: for CI's bundles only, never for a real box).
# Downloads are cached in STRATUM1_CACHE (default /var/cache/stratum1-image): apt checks
# every .deb against the archive's signed index and npm every tarball against the lockfile,
# so a cached file is used only if it is the one that would be downloaded.
set -euo pipefail
arch="${1:?usage: build.sh arm64|amd64 OUT}"
out="${2:?usage: build.sh arm64|amd64 OUT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image="$(dirname "$here")"
repo="$(dirname "$image")"
cache="${STRATUM1_CACHE:-/var/cache/stratum1-image}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"
list() { cat "$@" | grep -v '^\s*#' | grep -v '^\s*$' | paste -sd, -; }

mkdir -p "$cache/debs-$arch" "$cache/npm" "$out"
rm -rf "$out/root"

# The Debian base (the packages in image/packages and twin/packages, nothing of ours) is cached
# as a tarball: under qemu, installing it is most of the build (about 15 of 18 minutes for arm64
# here). The key covers the package lists, this script and the mirror; a base older than 30 days
# is made again, with the archive's updates. Only the twin uses it; pi-gen builds the real image
# afresh.
# (Only the part of this script above the marker counts: what follows the base does not change it.)
key="$( (cat "$image/packages" "$here/packages"; sed -n '1,/^# --- the base ends here ---$/p' "$0") | sha256sum | cut -c1-12)-$(echo "$mirror" | sha256sum | cut -c1-8)"
base="$cache/base-$arch-$key.tar"
if [ -f "$base" ] && [ -n "$(find "$base" -mtime +30)" ]; then rm -f "$base"; fi
if [ ! -f "$base" ]; then
  rm -f "$cache/base-$arch-"*.tar
  # force-unsafe-io: no fsync per file (the result is a tarball written once); no manuals or docs
  # (copyright notices kept) in the twin, which nobody reads: both only make the build faster.
  # mmdebstrap keeps these in the root's /etc/dpkg/dpkg.cfg.d/99mmdebstrap; stratum1's own man pages
  # are copied by customize.sh, not unpacked by dpkg, so the twin has them (twinImage.test.ts checks
  # that they render there). pi-gen (branch arm64) sets no such exclusion: the real image has every
  # package's manual.
  mmdebstrap --mode=root --variant=apt --architectures="$arch" \
    --include="$(list "$image/packages" "$here/packages")" \
    --dpkgopt=force-unsafe-io \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --skip=essential/unlink \
    --setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
    --setup-hook="cp -a '$cache/debs-$arch/.' \"\$1/var/cache/apt/archives/\"" \
    --customize-hook="cp -a \"\$1\"/var/cache/apt/archives/*.deb '$cache/debs-$arch/'" \
    --format=tar trixie "$base.tmp" "$mirror"
  mv "$base.tmp" "$base"
fi
# --- the base ends here ---
mkdir -p "$out/root"
tar --numeric-owner -xpf "$base" -C "$out/root"

if [ -z "${STRATUM1_UPDATE_CERT:-}" ]; then
  [ -f "$cache/update-key/owner.cert.pem" ] || "$image/update/make-owner-key.sh" "$cache/update-key" "stratum1 twin (CI only)" >/dev/null
  export STRATUM1_UPDATE_CERT="$cache/update-key/owner.cert.pem"
fi
{
  # Raspberry Pi OS's boot partition and fstab, as the stage finds them; customize.sh edits them.
  mkdir -p "$out/root/boot/firmware"
  printf '# Raspberry Pi OS base (twin)\n[all]\nauto_initramfs=1\narm_64bit=1\n' >"$out/root/boot/firmware/config.txt"
  echo "console=serial0,115200 console=tty1 root=LABEL=rootfs rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot" >"$out/root/boot/firmware/cmdline.txt"
  printf 'proc /proc proc defaults 0 0\nLABEL=BOOTFS /boot/firmware vfat defaults 0 2\nLABEL=rootfs / ext4 defaults,noatime 0 1\n' >"$out/root/etc/fstab"
}
STRATUM1_SRC="$repo" STRATUM1_BUILD_CACHE="$cache" "$image/customize.sh" "$out/root"

rm -rf "$out/images"
"$image/make-disk.sh" "$out/root" "$out/images"
