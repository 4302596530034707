#!/usr/bin/env bash
# image/make-disk.sh ROOTFS OUT [ROOT_SLOT_MIB] — the card image with the A/B layout of
# layout.env, made from a finished root file system (its /boot/firmware becomes the slot's
# boot partition), without mounting anything (genimage, mke2fs, mtools). Used by the real
# build after pi-gen and by the CI twin, so both cards are laid out the same way.
#   OUT/stratum1.img   the card: owner's FAT (autoboot.txt), boot A, boot B (empty), root A,
#                      root B (empty), S1DATA
#   OUT/boot.vfat, OUT/root.ext4   slot A's two file systems, kept for bundle.sh: a bundle
#                      carries the very images the card holds
set -euo pipefail
root="${1:?usage: make-disk.sh ROOTFS OUT [ROOT_SLOT_MIB]}"
out="${2:?usage: make-disk.sh ROOTFS OUT [ROOT_SLOT_MIB]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=layout.env
. "$here/layout.env"
root_mib="${3:-$ROOT_SLOT_MIB_DEFAULT}"
root="$(cd "$root" && pwd)"
[ -f "$root/boot/firmware/cmdline.txt" ] || { echo "make-disk: $root/boot/firmware/cmdline.txt is missing: run customize.sh on a root with a boot partition first" >&2; exit 1; }
grep -q "rauc.slot=A" "$root/boot/firmware/cmdline.txt" || { echo "make-disk: cmdline.txt does not name slot A (rauc.slot=A): customize.sh did not run on this root" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The owner's partition: autoboot.txt with slot A committed and B as the trial partition.
mkdir -p "$work/bootsel"
printf '[all]\ntryboot_a_b=1\nboot_partition=%s\n[tryboot]\nboot_partition=%s\n' "$PART_BOOT_A" "$PART_BOOT_B" >"$work/bootsel/autoboot.txt"
cp "$here/bootsel/stratum1-README.txt" "$work/bootsel/"
# The Pi 3 and Zero 2 W boot ROMs load bootcode.bin from the first partition; it then reads
# autoboot.txt and starts the slot's firmware (the Pi 4 and 5 have it in their EEPROM).
if [ -f "$root/boot/firmware/bootcode.bin" ]; then cp "$root/boot/firmware/bootcode.bin" "$work/bootsel/"; fi
# The data partition, empty: fixed UUID and times under SOURCE_DATE_EPOCH, so the same input
# gives the same bytes; the box fills it at its first boot.
: >"$work/data.ext4"
E2FSPROGS_FAKE_TIME="${SOURCE_DATE_EPOCH:-}" mke2fs -q -F -t ext4 -L S1DATA -U 5e1da7a0-0000-4000-8000-000000000001 -E root_owner=0:0 "$work/data.ext4" "${DATA_MIB}M"

cat >"$work/genimage.cfg" <<CFG
image bootsel.vfat {
  srcpath = "$work/bootsel"
  vfat { label = "BOOTFS" extraargs = "-i 5e1d0b00" }
  size = ${BOOTSEL_MIB}M
  temporary = true
}
image boot.vfat {
  mountpoint = "/boot/firmware"
  vfat { label = "$SLOT_BOOT_LABEL" extraargs = "-i 5e1d0b0a" }
  size = ${SLOT_BOOT_MIB}M
}
image root.ext4 {
  ext4 { label = "rootfs" use-mke2fs = true extraargs = "-U 5e1da7a0-0000-4000-8000-000000000002" }
  size = ${root_mib}M
}
image stratum1.img {
  # 4 MiB alignment: SD cards erase in such blocks (and the first MiBs hold the MBR and gaps).
  hdimage { partition-table-type = "mbr" disk-signature = 0x$DISK_ID align = 4M }
  partition bootsel { partition-type = 0xC bootable = true image = "bootsel.vfat" }
  partition boot-a { partition-type = 0xC image = "boot.vfat" }
  partition boot-b { partition-type = 0xC size = ${SLOT_BOOT_MIB}M }
  partition root-a { partition-type = 0x83 image = "root.ext4" }
  partition root-b { partition-type = 0x83 size = ${root_mib}M }
  partition data { partition-type = 0x83 image = "$work/data.ext4" }
}
CFG
rm -f "$out/stratum1.img" "$out/boot.vfat" "$out/root.ext4"
genimage --config "$work/genimage.cfg" --rootpath "$root" --inputpath "$out" --outputpath "$out" --tmppath "$work/tmp" >"$work/genimage.log" 2>&1 || { cat "$work/genimage.log" >&2; exit 1; }
# The partition numbers the layout promises (an extended partition shifts the logical ones).
got="$(sfdisk --dump "$out/stratum1.img" | sed -n 's/^[^ ]*img\([0-9]*\) .*type=\([0-9a-f]*\).*/\1:\2/p' | paste -sd' ')"
want="$PART_BOOTSEL:c $PART_BOOT_A:c $PART_BOOT_B:c 4:f $PART_ROOT_A:83 $PART_ROOT_B:83 $PART_DATA:83"
[ "$got" = "$want" ] || { echo "make-disk: partitions came out as '$got', layout.env says '$want'" >&2; exit 1; }
echo "make-disk: $out/stratum1.img ($(du -h --apparent-size "$out/stratum1.img" | cut -f1), root slots ${root_mib} MiB)"
