#!/usr/bin/env bash
# image/build.sh [OUT] — builds the flashable stratum1 image for Raspberry Pi 3, 4, 5 and
# Zero 2 W (arm64) with pi-gen, Raspberry Pi OS trixie Lite + stage-stratum1, on a networked
# Debian (bookworm or trixie, amd64 or arm64) machine, as root. Result:
#   OUT/stratum1-<date>.img.xz and its .sha256 (default OUT: image/deploy)
# Environment: PI_GEN_REF (pi-gen branch or tag, default arm64: its 64-bit images),
# PI_GEN_COMMIT (a commit to pin), USE_DOCKER=1 (pi-gen's build-docker.sh instead of build.sh).
# Not run in CI: it needs the Raspberry Pi archive, which CI cannot reach; CI builds the
# Debian twin of the same customisation instead (image/twin/build.sh, test/image/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$(mkdir -p "${1:-$here/deploy}" && cd "${1:-$here/deploy}" && pwd)"
work="$here/work"
ref="${PI_GEN_REF:-arm64}"
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (pi-gen mounts and chroots)" >&2; exit 1; }

deps=(git coreutils quilt parted qemu-user-static binfmt-support debootstrap zerofree zip dosfstools libarchive-tools
      libcap2-bin grep rsync xz-utils file curl bc gpg pigz xxd arch-test fdisk e2fsprogs nodejs npm)
missing=()
for p in "${deps[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; fi
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || { echo "build.sh: Node >= 20 needed on the build machine (Debian trixie's nodejs)" >&2; exit 1; }

echo "== the app: npm ci, build (dist/ is architecture independent; addons are compiled in the image)"
(cd "$repo" && npm ci --no-audit --no-fund && npm run build:ts)

echo "== pi-gen $ref"
rm -rf "$work" && mkdir -p "$work"
git clone --quiet --depth 1 --branch "$ref" https://github.com/RPi-Distro/pi-gen.git "$work/pi-gen"
if [ -n "${PI_GEN_COMMIT:-}" ]; then git -C "$work/pi-gen" fetch --quiet --depth 1 origin "$PI_GEN_COMMIT" && git -C "$work/pi-gen" checkout --quiet FETCH_HEAD; fi
stage="$work/pi-gen/stage-stratum1"
cp -a "$here/pi-gen/stage-stratum1" "$stage"
mkdir -p "$stage/00-stratum1/files"
rsync -a --exclude node_modules --exclude .git --exclude image/work --exclude image/deploy "$repo/" "$stage/00-stratum1/files/stratum1/"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$stage/00-stratum1/files/npm"
touch "$work/pi-gen/stage2/SKIP_IMAGES"
{ cat "$here/pi-gen/config"; echo "STAGE_LIST=\"stage0 stage1 stage2 stage-stratum1\""; } >"$work/pi-gen/config"

echo "== pi-gen build (an hour or more)"
if [ "${USE_DOCKER:-0}" = 1 ]; then (cd "$work/pi-gen" && ./build-docker.sh); else (cd "$work/pi-gen" && ./build.sh); fi

img="$(ls -t "$work"/pi-gen/deploy/*stratum1*.img | head -1)"
"$here/add-data-partition.sh" "$img"
name="stratum1-$(date -u +%Y-%m-%d)"
xz -T0 -c "$img" >"$out/$name.img.xz"
(cd "$out" && sha256sum "$name.img.xz" >"$name.img.xz.sha256")
echo "== $out/$name.img.xz"
