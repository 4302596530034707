#!/usr/bin/env bash
# npm run package: stratum1 as a Debian package (docs/fleet.md, "Installing the .deb"), for a
# stratum-2 VM of a fleet (Debian 12, no receiver) and for a Raspberry Pi OS installed by hand.
# Built from this checkout after `npm run build`: the compiled service, its production
# node_modules (the native addons built for this machine's architecture), the units and
# drop-ins, the man pages and docs. Output: dist-deb/stratum1_VERSION_ARCH.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/cli/fleetd.js ] || { echo "run npm run build first" >&2; exit 1; }
version="$(node -p 'require("./package.json").version')"
arch="$(dpkg --print-architecture)"
out="dist-deb"
root="$(mktemp -d /tmp/stratum1-deb.XXXXXX)"
trap 'rm -rf "$root"' EXIT
opt="$root/opt/stratum1"
mkdir -p "$opt" "$root/DEBIAN"
cp -a dist package.json package-lock.json README.md docs man "$opt/"
rm -rf "$opt/dist/test" "$opt/dist/sim" "$opt/dist/bench"
cp -a node_modules "$opt/"
(cd "$opt" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
mkdir -p "$opt/systemd"
install -m 0755 systemd/chrony-sock-perms systemd/stratum1-nts-sync "$opt/systemd/"
sys="$root/usr/lib/systemd/system"
install -D -m 0644 -t "$sys" systemd/stratum1d.service systemd/stratum1-fleet.service systemd/stratum1-nts-sync.service systemd/stratum1-nts-sync.timer
install -D -m 0644 systemd/chrony.service.d/stratum1.conf "$sys/chrony.service.d/stratum1.conf"
install -D -m 0644 systemd/frr.service.d/stratum1.conf "$sys/frr.service.d/stratum1.conf"
install -D -m 0644 systemd/stratum1.sysusers "$root/usr/lib/sysusers.d/stratum1.conf"
install -D -m 0644 systemd/stratum1.tmpfiles "$root/usr/lib/tmpfiles.d/stratum1.conf"
install -D -m 0644 systemd/99-stratum1.rules "$root/usr/lib/udev/rules.d/99-stratum1.rules"
install -D -m 0644 systemd/stratum1.conf "$root/usr/share/stratum1/stratum1.conf"
install -D -m 0644 packaging/stratum2.conf "$root/usr/share/stratum1/stratum2.conf"
for page in man/*.[0-9]; do install -D -m 0644 "$page" "$root/usr/share/man/man${page##*.}/$(basename "$page")"; done
mkdir -p "$root/usr/bin"
for cmd in stratum1ctl; do printf '#!/bin/sh\nexec /usr/bin/node /opt/stratum1/dist/src/cli/%s.js "$@"\n' "$cmd" >"$root/usr/bin/$cmd"; chmod 0755 "$root/usr/bin/$cmd"; done
cat >"$root/DEBIAN/control" <<CONTROL
Package: stratum1
Version: $version
Architecture: $arch
Maintainer: stratum1 <stratum1@example.invalid>
Depends: nodejs (>= 20), chrony, frr, iproute2, nftables, openssh-client
Section: net
Priority: optional
Description: GPS stratum-1 NTP appliance and its fleet health gate
 stratum1d reads a GNSS receiver and its pulse and feeds chrony; on a node
 without a receiver (a stratum-2 VM of a fleet) chrony runs from the same
 stratum1.conf with network servers. stratum1-fleetd announces the fleet's
 service addresses over BGP (FRR) while the node's time is good and withdraws
 them while it is bad.
CONTROL
install -m 0755 packaging/postinst "$root/DEBIAN/postinst"
install -m 0755 packaging/prerm "$root/DEBIAN/prerm"
mkdir -p "$out"
dpkg-deb --root-owner-group --build "$root" "$out/stratum1_${version}_${arch}.deb" >/dev/null
echo "$out/stratum1_${version}_${arch}.deb"
