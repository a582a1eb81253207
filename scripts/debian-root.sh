#!/usr/bin/env bash
# Makes OUT_TAR, a tar of a minimal Debian 12 root (`mmdebstrap --variant=minbase bookworm`), unless one made in
# the last CIBOX_DEBIAN_ROOT_DAYS days (default 7) is there: make-bundle.sh reads its dpkg status to know what such
# a machine lacks (at the current point release: an older one would leave out a library a newer package of the
# bundle needs), and the package test installs the bundle into a copy of it. Making it takes one to two minutes
# and needs root and the Debian mirror; extracting it takes two seconds, so keep it
# (.build/debian/bookworm-minbase.tar).
#   scripts/debian-root.sh OUT_TAR
set -euo pipefail
tar="${1:?usage: debian-root.sh OUT_TAR}"
if [ -n "$(find "$tar" -maxdepth 0 -mtime "-${CIBOX_DEBIAN_ROOT_DAYS:-7}" 2>/dev/null)" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "debian-root: making $tar needs root (mmdebstrap --mode=root): run it with sudo" >&2
  exit 1
fi
if ! command -v mmdebstrap >/dev/null; then
  echo "debian-root: mmdebstrap is missing: apt-get install mmdebstrap (or scripts/install-deps.sh test)" >&2
  exit 1
fi
mkdir -p "$(dirname "$tar")"
# Written beside it and renamed, so an interrupted run leaves no partial root behind.
mmdebstrap --quiet --variant=minbase --mode=root bookworm "$tar.partial.tar"
mv "$tar.partial.tar" "$tar"
