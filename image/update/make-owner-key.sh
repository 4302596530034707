#!/usr/bin/env bash
# image/update/make-owner-key.sh DIR [NAME] — makes the owner's update signing key: a private
# key (DIR/owner.key.pem, keep it off the box and out of git) and its self-signed X.509
# certificate (DIR/owner.cert.pem, 10 years, key usage codeSigning), which the image build
# installs as the box's RAUC keyring (STRATUM1_UPDATE_CERT). Only bundles signed with this key
# install on boxes built with this certificate. See docs/updates.md.
set -euo pipefail
dir="${1:?usage: make-owner-key.sh DIR [NAME]}"
name="${2:-stratum1 update signing}"
mkdir -p "$dir"
if [ -e "$dir/owner.key.pem" ]; then echo "make-owner-key: $dir/owner.key.pem exists; not overwriting a signing key (move it away first)" >&2; exit 1; fi
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/O=stratum1 owner/CN=$name" \
  -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -keyout "$dir/owner.key.pem" -out "$dir/owner.cert.pem" 2>/dev/null
chmod 0644 "$dir/owner.cert.pem"
echo "make-owner-key: $dir/owner.key.pem (private: keep it off the box) and $dir/owner.cert.pem (the box's keyring)"
openssl x509 -in "$dir/owner.cert.pem" -noout -subject -fingerprint -sha256
