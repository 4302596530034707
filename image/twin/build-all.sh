#!/usr/bin/env bash
# image/twin/build-all.sh OUT — both CI twins side by side (arm64 runs under qemu on one
# core, amd64 natively on the other), each logged to OUT/ARCH.log, with their times.
set -uo pipefail
out="${1:?usage: build-all.sh OUT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
declare -A pid start
for arch in arm64 amd64; do
  start[$arch]=$SECONDS
  nice -n 10 "$here/build.sh" "$arch" "$out/$arch" >"$out/$arch.log" 2>&1 &
  pid[$arch]=$!
done
failed=0
for arch in arm64 amd64; do
  if wait "${pid[$arch]}"; then
    echo "twin $arch built in $((SECONDS - start[$arch])) s ($out/$arch)"
  else
    echo "twin $arch FAILED after $((SECONDS - start[$arch])) s; the end of $out/$arch.log:" >&2
    tail -n 40 "$out/$arch.log" >&2
    failed=1
  fi
done
exit $failed
