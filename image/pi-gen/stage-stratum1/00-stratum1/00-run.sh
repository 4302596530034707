#!/bin/bash -e
# Everything that makes Raspberry Pi OS Lite a stratum1 appliance is in customize.sh and
# its overlay, shared with the CI twin. image/build.sh put the repository (built) and an
# npm CLI under files/ before starting pi-gen.
STRATUM1_SRC="$(pwd)/files/stratum1" STRATUM1_NPM="$(pwd)/files/npm" \
  "$(pwd)/files/stratum1/image/customize.sh" "${ROOTFS_DIR}"
