#!/bin/bash -e
# pi-gen stage after stage2 (Raspberry Pi OS Lite): start from stage2's root.
if [ ! -d "${ROOTFS_DIR}" ]; then
  copy_previous
fi
