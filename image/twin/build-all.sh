#!/usr/bin/env bash
# image/twin/build-all.sh OUT — both CI twins side by side (arm64 runs under qemu on one
# core, amd64 natively on the other), each logged to OUT/ARCH.log, with their times.
set -uo pipefail
out="${1:?usage: build-all.sh OUT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
declare -A pid
for arch in arm64 amd64; do
  (s=$SECONDS; nice -n 10 "$here/build.sh" "$arch" "$out/$arch" >"$out/$arch.log" 2>&1; rc=$?; echo $((SECONDS - s)) >"$out/$arch.seconds"; exit $rc) &
  pid[$arch]=$!
done
failed=0
for arch in arm64 amd64; do
  if wait "${pid[$arch]}"; then
    echo "twin $arch built in $(cat "$out/$arch.seconds") s ($out/$arch)"
  else
    echo "twin $arch FAILED after $(cat "$out/$arch.seconds") s; the end of $out/$arch.log:" >&2
    tail -n 40 "$out/$arch.log" >&2
    failed=1
  fi
done
exit $failed
