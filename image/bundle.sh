#!/usr/bin/env bash
# image/bundle.sh IMAGES KEY CERT [BUNDLE] — the signed RAUC update bundle made from the very
# file systems a card holds: IMAGES is make-disk.sh's OUT (boot.vfat, root.ext4). The version
# and the compatible come from inside root.ext4 (/opt/stratum1/BUILD, /etc/rauc/system.conf),
# so a bundle cannot claim to be another build or for another product than what it carries.
# KEY and CERT: the owner's signing key and certificate (image/update/make-owner-key.sh).
#   BUNDLE_FORMAT  verity (default; what RAUC recommends, needed for installing from a URL by
#                  streaming) or plain (boxes whose kernel lacks dm-verity, and CI's machines)
# Result: BUNDLE (default IMAGES/stratum1-VERSION.raucb) and BUNDLE.sha256.
set -euo pipefail
images="${1:?usage: bundle.sh IMAGES KEY CERT [BUNDLE]}"
key="${2:?usage: bundle.sh IMAGES KEY CERT [BUNDLE]}"
cert="${3:?usage: bundle.sh IMAGES KEY CERT [BUNDLE]}"
format="${BUNDLE_FORMAT:-verity}"
for f in "$images/boot.vfat" "$images/root.ext4" "$key" "$cert"; do
  [ -f "$f" ] || { echo "bundle: $f is missing (IMAGES comes from image/make-disk.sh; KEY and CERT from image/update/make-owner-key.sh)" >&2; exit 1; }
done
command -v rauc >/dev/null || { echo "bundle: rauc is not installed (apt-get install rauc squashfs-tools)" >&2; exit 1; }
version="$(debugfs -R 'cat /opt/stratum1/BUILD' "$images/root.ext4" 2>/dev/null | sed -n 's/^stratum1 //p' | head -1)"
compatible="$(debugfs -R 'cat /etc/rauc/system.conf' "$images/root.ext4" 2>/dev/null | sed -n 's/^compatible=//p' | head -1)"
[ -n "$version" ] || { echo "bundle: no /opt/stratum1/BUILD in $images/root.ext4: not a stratum1 root" >&2; exit 1; }
[ -n "$compatible" ] || { echo "bundle: no compatible= in $images/root.ext4's /etc/rauc/system.conf: built before A/B updates?" >&2; exit 1; }
out="${4:-$images/stratum1-$version.raucb}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/content"
# Hard links, not copies: the images are large and rauc only reads them.
ln "$images/boot.vfat" "$work/content/boot.vfat" 2>/dev/null || cp --sparse=always "$images/boot.vfat" "$work/content/boot.vfat"
ln "$images/root.ext4" "$work/content/root.ext4" 2>/dev/null || cp --sparse=always "$images/root.ext4" "$work/content/root.ext4"
cat >"$work/content/manifest.raucm" <<MANIFEST
[update]
compatible=$compatible
version=$version
description=stratum1 $version

[bundle]
format=$format

[image.rootfs]
filename=root.ext4

[image.boot]
filename=boot.vfat
MANIFEST
rm -f "$out"
rauc bundle --cert="$cert" --key="$key" "$work/content" "$out" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
(cd "$(dirname "$out")" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
echo "bundle: $out ($compatible, version $version, $format, $(du -h "$out" | cut -f1))"
