#!/usr/bin/env bash
# image/add-data-partition.sh IMAGE [SIZE_MIB] — appends the small writable partition
# (ext4, label S1DATA, 64 MiB by default) that keeps what must survive a reboot on a box
# whose root is read-only. No loop devices or mounts: the file system is made in a file
# (mke2fs) and written into the image at the new partition's offset. Used after pi-gen
# (which makes only boot and root) and by the CI twin, so both images end the same way.
set -euo pipefail
img="${1:?usage: add-data-partition.sh IMAGE [SIZE_MIB]}"
mib="${2:-64}"
sfdisk --json "$img" | grep -q '"size"' || { echo "add-data-partition: $img has no partition table" >&2; exit 1; }
if [ "$(sfdisk --dump "$img" | grep -c 'start=')" -ne 2 ]; then
  echo "add-data-partition: $img should have exactly two partitions (boot, root)" >&2; exit 1
fi
# The new partition starts at the first MiB boundary after the last one.
last_end=$(sfdisk --dump "$img" | sed -n 's/.*start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p' | awk '{e=$1+$2; if (e>m) m=e} END {print m}')
start=$(( (last_end + 2047) / 2048 * 2048 ))
sectors=$(( mib * 2048 ))
truncate -s $(( (start + sectors) * 512 )) "$img"
echo "start=$start, size=$sectors, type=83" | sfdisk --quiet --append --no-reread --no-tell-kernel "$img"
fs="$(mktemp)"
trap 'rm -f "$fs"' EXIT
# Fixed UUID and times under SOURCE_DATE_EPOCH: the same input gives the same partition.
E2FSPROGS_FAKE_TIME="${SOURCE_DATE_EPOCH:-}" mke2fs -q -F -t ext4 -L S1DATA -U 5e1da7a0-0000-4000-8000-000000000001 -E root_owner=0:0 "$fs" "${mib}M"
dd if="$fs" of="$img" bs=512 seek="$start" conv=notrunc,sparse status=none
echo "add-data-partition: $img: partition 3 (S1DATA, ${mib} MiB) at sector $start"
