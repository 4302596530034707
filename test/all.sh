#!/usr/bin/env bash
# Every test, as CI runs them: the real-time suites (npm test: unit, integration, the replay
# scenarios) and, side by side, the image tests (npm run test:image: the twins built under qemu
# and booted in systemd-nspawn); then the update test (npm run test:update). A cold image build takes ~18 minutes, mostly Debian's
# maintainer scripts under emulation; one after the other the two would not fit CI's 30. The
# image build runs at the lowest CPU and I/O priority, so it takes only what the real-time
# tests leave: they stamp serial bytes and judge chrony's samples to the millisecond, and
# their time-jump checks would catch a stall. The suites run unit, then the scenarios (judged
# by the second), then integration (judged by the millisecond): with a warm image cache the
# image tests (~2 minutes) are over before the millisecond judging starts.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run build || exit 1
log="$(mktemp /tmp/stratum1-image-tests.XXXXXX.log)"
echo "image tests started in the background at the lowest priority (log: $log)"
nice -n 19 ionice -c 3 npm run test:image:run >"$log" 2>&1 &
image=$!
npm run test:suites
suites=$?
echo "real-time suites: exit $suites; waiting for the image tests…"
wait "$image"
img=$?
cat "$log"
# The update test (npm run test:update) installs into the amd64 twin's card that the image tests
# just built, and boots it with a simulated receiver judged by chrony: after the real-time suites,
# so that neither disturbs the other's timing.
echo "update test (A/B install, commit on good time, rollback)…"
npm run test:update:run
upd=$?
echo "npm test suites: exit $suites; image tests: exit $img; update test: exit $upd"
[ "$suites" -eq 0 ] && [ "$img" -eq 0 ] && [ "$upd" -eq 0 ]
