#!/usr/bin/env bash
# image/build.sh [OUT] — builds the flashable stratum1 image for Raspberry Pi 3, 4, 5 and
# Zero 2 W (arm64) with pi-gen, Raspberry Pi OS trixie Lite + stage-stratum1, on a networked
# Debian (bookworm or trixie, amd64 or arm64) machine, as root, then lays it out on the A/B
# card of layout.env (make-disk.sh) and makes the update bundle of the same root. Result
# (default OUT: image/deploy):
#   OUT/stratum1-<version>.img.xz, its .sha256 and .sig (the owner's signature)
#   OUT/stratum1-<version>.raucb (+ .sha256): the same system as an update for boxes in the field
# Environment (docs/updates.md):
#   STRATUM1_UPDATE_CERT, STRATUM1_UPDATE_KEY  the owner's certificate (becomes the boxes' RAUC
#                  keyring) and private key (signs the bundle and the image); required
#   PI_GEN_COMMIT  the pi-gen commit (default: the pinned one below; a branch name is refused:
#                  the same input must give the same system)
#   USE_DOCKER=1   pi-gen's build-docker.sh instead of build.sh
# Not run in CI: it needs the Raspberry Pi archive, which CI cannot reach; CI builds the
# Debian twin of the same customisation instead (image/twin/build.sh, test/image/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$(mkdir -p "${1:-$here/deploy}" && cd "${1:-$here/deploy}" && pwd)"
work="$here/work"
# pi-gen's arm64 branch (Raspberry Pi OS trixie, 64-bit) as of 2026-06-16. Move it on purpose,
# after reading pi-gen's changes (a new stage may bring a service this image must not run).
commit="${PI_GEN_COMMIT:-ca8aeed0ae300c2a89f55ce9617d5f96a27e99e5}"
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (pi-gen mounts and chroots)" >&2; exit 1; }
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || { echo "build.sh: PI_GEN_COMMIT must be a full commit id, not '$commit'" >&2; exit 1; }
cert="${STRATUM1_UPDATE_CERT:-}"; key="${STRATUM1_UPDATE_KEY:-}"
{ [ -f "$cert" ] && [ -f "$key" ]; } || { echo "build.sh: set STRATUM1_UPDATE_CERT and STRATUM1_UPDATE_KEY to the owner's update certificate and key (image/update/make-owner-key.sh DIR; docs/updates.md)" >&2; exit 1; }
export STRATUM1_UPDATE_CERT="$(cd "$(dirname "$cert")" && pwd)/$(basename "$cert")"

deps=(git coreutils quilt parted qemu-user-static binfmt-support debootstrap zerofree zip dosfstools libarchive-tools
      libcap2-bin grep rsync xz-utils file curl bc gpg pigz xxd arch-test fdisk e2fsprogs nodejs npm
      genimage mtools rauc squashfs-tools openssl)
missing=()
for p in "${deps[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; fi
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || { echo "build.sh: Node >= 20 needed on the build machine (Debian trixie's nodejs)" >&2; exit 1; }

echo "== the app: npm ci, build (dist/ is architecture independent; addons are compiled in the image)"
(cd "$repo" && npm ci --no-audit --no-fund && npm run build:ts)

echo "== pi-gen $commit"
rm -rf "$work" && mkdir -p "$work/pi-gen"
git -C "$work/pi-gen" init --quiet
git -C "$work/pi-gen" fetch --quiet --depth 1 https://github.com/RPi-Distro/pi-gen.git "$commit"
git -C "$work/pi-gen" checkout --quiet FETCH_HEAD
stage="$work/pi-gen/stage-stratum1"
cp -a "$here/pi-gen/stage-stratum1" "$stage"
mkdir -p "$stage/00-stratum1/files"
rsync -a --exclude node_modules --exclude .git --exclude image/work --exclude image/deploy "$repo/" "$stage/00-stratum1/files/stratum1/"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$stage/00-stratum1/files/npm"
cp "$STRATUM1_UPDATE_CERT" "$stage/00-stratum1/files/owner.cert.pem"
touch "$work/pi-gen/stage2/SKIP_IMAGES"
{ cat "$here/pi-gen/config"; echo "STAGE_LIST=\"stage0 stage1 stage2 stage-stratum1\""; } >"$work/pi-gen/config"

echo "== pi-gen build (an hour or more)"
if [ "${USE_DOCKER:-0}" = 1 ]; then (cd "$work/pi-gen" && ./build-docker.sh); else (cd "$work/pi-gen" && ./build.sh); fi

# pi-gen's two-partition image, laid out again on the A/B card: its root and boot partitions
# copied out (read-only mounts), then make-disk.sh, as for the CI twin.
img="$(ls -t "$work"/pi-gen/deploy/*stratum1*.img | head -1)"
rootfs="$work/rootfs"
mkdir -p "$rootfs" "$work/mnt"
dev="$(losetup --find --show --partscan --read-only "$img")"
trap 'umount -R "$work/mnt" 2>/dev/null; losetup -d "$dev" 2>/dev/null' EXIT
mount -o ro "${dev}p2" "$work/mnt" && mount -o ro "${dev}p1" "$work/mnt/boot/firmware"
rsync -aHAX --numeric-ids "$work/mnt/" "$rootfs/"
umount -R "$work/mnt"; losetup -d "$dev"; trap - EXIT
. "$here/layout.env"
"$here/make-disk.sh" "$rootfs" "$work/card" 2560
version="$(sed -n 's/^stratum1 //p' "$rootfs/opt/stratum1/BUILD")"
name="stratum1-$version"
xz -T0 -c "$work/card/stratum1.img" >"$out/$name.img.xz"
"$here/bundle.sh" "$work/card" "$key" "$STRATUM1_UPDATE_CERT" "$out/$name.raucb"
(cd "$out" && sha256sum "$name.img.xz" >"$name.img.xz.sha256")
# The image's signature beside it, by the same owner's key: check it with
#   openssl dgst -sha256 -verify <(openssl x509 -in owner.cert.pem -pubkey -noout) -signature X.img.xz.sig X.img.xz
openssl dgst -sha256 -sign "$key" -out "$out/$name.img.xz.sig" "$out/$name.img.xz"
echo "== $out/$name.img.xz (+ .sha256, .sig) and $out/$name.raucb"
