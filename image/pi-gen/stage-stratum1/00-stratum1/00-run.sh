#!/bin/bash -e
# Everything that makes Raspberry Pi OS Lite a stratum1 appliance is in customize.sh and
# its overlay, shared with the CI twin. image/build.sh put the repository (built), an npm CLI
# and the owner's update certificate under files/ before starting pi-gen.
STRATUM1_SRC="$(pwd)/files/stratum1" STRATUM1_NPM="$(pwd)/files/npm" STRATUM1_UPDATE_CERT="$(pwd)/files/owner.cert.pem" \
  "$(pwd)/files/stratum1/image/customize.sh" "${ROOTFS_DIR}"
