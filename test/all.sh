#!/usr/bin/env bash
# Every test, as CI runs them (the README's test command: npm run test:all, called by .ci/run).
# First the fast lane (npm run check's parts: typecheck and build, lint, unit tests), so a
# mistake fails in about a minute. Then the image tests start in the background at the
# lowest CPU and I/O priority (the twins built under qemu and booted in systemd-nspawn: a
# cold build is ~18 minutes, mostly Debian's maintainer scripts under emulation), while the
# suites run in the foreground: the whole daemon in virtual time, the replay scenarios, and
# the few real-time end-to-end tests against real chronyd, whose margins hold under load, and the
# fleet test (test/fleet/fleet.ts: real FRR, chronyd and the gate in network namespaces).
# Last the update test (npm run test:update): it installs bundles into the amd64 twin's card
# that the image tests just built and boots its slots with a simulated receiver judged by
# chrony, so it runs after the real-time suites and disturbs neither's timing.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run build || exit 1
npm run lint || exit 1
npm run test:unit:run || exit 1
log="$(mktemp /tmp/stratum1-image-tests.XXXXXX.log)"
echo "image tests started in the background at the lowest priority (log: $log)"
nice -n 19 ionice -c 3 npm run test:image:run >"$log" 2>&1 &
image=$!
npm run test:suites
suites=$?
# The fleet end to end (docs/fleet.md): FRR routers, chronyd and the gate in network namespaces, a few minutes.
npm run test:fleet:run
fleet=$?
echo "suites: exit $suites; fleet: exit $fleet; waiting for the image tests…"
wait "$image"
img=$?
cat "$log"
echo "update test (A/B install, commit on good time, rollback)…"
npm run test:update:run
upd=$?
echo "npm test suites: exit $suites; fleet test: exit $fleet; image tests: exit $img; update test: exit $upd"
[ "$suites" -eq 0 ] && [ "$fleet" -eq 0 ] && [ "$img" -eq 0 ] && [ "$upd" -eq 0 ]
