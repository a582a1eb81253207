#!/usr/bin/env bash
# Builds the offline bundle OUT_DIR/cibox-offline-VERSION-bookworm-amd64.tar from cibox's .deb: a folder holding
# that .deb, every Debian package it needs that a minimal Debian 12 lacks, install.sh (Resources/debian) and
# SHA256SUMS. Run it as root on a connected Debian 12 machine; prints the bundle's path last.
#   scripts/make-bundle.sh DEB OUT_DIR
# What a minimal Debian 12 has is the dpkg status of a minbase root (scripts/debian-root.sh; env CIBOX_DEBIAN_ROOT,
# default .build/debian/bookworm-minbase.tar, made when missing). apt resolves against that status with this
# machine's package lists (run apt-get update first) and downloads into the bundle; nothing is installed here.
set -euo pipefail
deb="${1:?usage: make-bundle.sh DEB OUT_DIR}"
out="${2:?usage: make-bundle.sh DEB OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
minbase="${CIBOX_DEBIAN_ROOT:-$root/.build/debian/bookworm-minbase.tar}"
if [ "$(id -u)" -ne 0 ]; then
  echo "make-bundle: apt's download needs root: run it with sudo" >&2
  exit 1
fi
# shellcheck source=/dev/null
if ! (. /etc/os-release && [ "${VERSION_CODENAME:-}" = bookworm ]); then
  echo "make-bundle: this machine is not Debian 12 (bookworm): its apt lists would give the wrong packages" >&2
  exit 1
fi
deb="$(realpath "$deb")"
version="$(dpkg-deb -f "$deb" Version)"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}"
name="cibox-offline-$version-bookworm-amd64"
mkdir -p "$out"
out="$(realpath "$out")"
bundle="$out/$name"
work="$out/$name.work"
rm -rf "$bundle" "$work" "$out/$name.tar"
mkdir -p "$bundle" "$work/archives/partial"

"$root/scripts/debian-root.sh" "$minbase"
tar -xOf "$minbase" ./var/lib/dpkg/status >"$work/status"
touch "$work/extended_states"
# The minbase root's status instead of this machine's, a download folder of our own, and no pkgcache.bin written
# over this machine's. cibox's own Recommends (podman, docker-registry, iproute2) are named, but not theirs
# (buildah, slirp4netns, … are not needed). runc is named too: else apt satisfies podman's `crun | runc` with crun
# (cibox needs runc, and crun fails on hybrid-cgroup hosts).
read -ra recommends <<<"$(dpkg-deb -f "$deb" Recommends | sed -e 's/([^)]*)//g' -e 's/,/ /g')"
apt=(-o "Dir::State::status=$work/status" -o "Dir::State::extended_states=$work/extended_states"
  -o "Dir::Cache::archives=$work/archives" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  -o APT::Install-Recommends=false)
download() { apt-get "${apt[@]}" install -y -qq --download-only "$deb" runc "${recommends[@]}" >"$work/apt.log" 2>&1; }
# Stale package lists name versions the mirror no longer has: refresh them once and try again.
download || { apt-get update -qq && download; } || {
  cat "$work/apt.log" >&2
  echo "make-bundle: apt could not download the packages (see above; is the Debian mirror reachable?)" >&2
  exit 1
}
mv "$work"/archives/*.deb "$bundle/"
cp "$deb" "$bundle/"
install -m 0755 "$root/Resources/debian/install.sh" "$bundle/install.sh"
(cd "$bundle" && sha256sum -- *.deb install.sh >SHA256SUMS)
# Not compressed: the .debs are.
tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -cf "$out/$name.tar" "$name"
rm -rf "$bundle" "$work"
# Publish this beside the bundle: SHA256SUMS inside it only shows a copy gone wrong, not a bundle replaced.
(cd "$out" && sha256sum "$name.tar" >"$name.tar.sha256")
echo "$out/$name.tar"
