#!/bin/sh
# Installs cibox from this offline bundle on Debian 12 (bookworm, amd64), with dpkg only: no apt, no network.
#   sudo sh install.sh [--with-registry]
# It checks the files against SHA256SUMS (a copy gone wrong; the sums travel with the bundle, so check the bundle's
# own checksum where it was published against tampering), installs only what SHA256SUMS lists, leaves out every
# package this machine already has at the same or a newer version (dpkg -i would downgrade it) and docker-registry
# unless --with-registry, and installs the rest with one dpkg -i. Running it again is safe.
set -eu
cd "$(dirname "$0")"

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

with_registry=no
for argument in "$@"; do
    case "$argument" in
    --with-registry) with_registry=yes ;;
    *) fail "unknown argument '$argument': the one option is --with-registry (also install docker-registry)" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || fail "run it as root: sudo sh $0"
# shellcheck source=/dev/null
distribution="$(. /etc/os-release 2>/dev/null && echo "${ID:-unknown} ${VERSION_ID:-}")" || distribution=unknown
arch="$(dpkg --print-architecture 2>/dev/null)" || arch=unknown
if [ "$distribution" != "debian 12" ] || [ "$arch" != amd64 ]; then
    fail "this bundle is for Debian 12 (bookworm) on amd64, and this machine is $distribution on $arch: build a bundle on a connected machine of this kind (make bundle), or build cibox from source"
fi

echo "install.sh: checking the files against SHA256SUMS"
sha256sum --quiet -c SHA256SUMS || fail "some files do not match SHA256SUMS: copy the bundle again"
# Only what SHA256SUMS lists is installed: a package put in the folder after the bundle was made is refused.
for deb in *.deb; do
    awk '{ print $2 }' SHA256SUMS | grep -Fqx -- "$deb" ||
        fail "$deb is not listed in SHA256SUMS: remove it, or copy the bundle again"
done

set --
have=0
total=0
left_out=
while read -r _ deb; do
    case "$deb" in *.deb) ;; *) continue ;; esac
    total=$((total + 1))
    package="$(dpkg-deb -f "$deb" Package)"
    version="$(dpkg-deb -f "$deb" Version)"
    architecture="$(dpkg-deb -f "$deb" Architecture)"
    # docker-registry's own postinst starts it on port 5000 of every interface, with no login, where systemd runs.
    if [ "$package" = docker-registry ] && [ "$with_registry" = no ]; then
        left_out="$package"
        continue
    fi
    [ "$architecture" = all ] || package="$package:$architecture"
    installed="$(dpkg-query -W -f '${db:Status-Status} ${Version}' "$package" 2>/dev/null)" || installed=
    case "$installed" in
    "installed "* | "unpacked "* | "half-configured "* | "triggers-awaiting "* | "triggers-pending "*)
        if dpkg --compare-versions "${installed#* }" ge "$version"; then
            have=$((have + 1))
            continue
        fi
        ;;
    esac
    set -- "$@" "$deb"
done <SHA256SUMS

echo "install.sh: $# of $total packages to install ($have already here at the same or a newer version)"
if [ -n "$left_out" ]; then
    echo "install.sh: left out $left_out (a registry on port 5000 of every interface, no login): install.sh --with-registry adds it"
fi
if [ "$#" -gt 0 ]; then
    # An upgrade keeps the admin's edits of a conffile (/etc/cibox/settings.yml) without asking; the new version's
    # file is put beside it as settings.yml.dpkg-dist.
    dpkg --force-confdef --force-confold -i "$@" || fail "dpkg -i failed (see above); fix what it names, then run install.sh again"
fi
dpkg --configure -a

echo "install.sh: installed cibox $(cibox --version)"
echo "install.sh: next, start the service (it is enabled, not started): systemctl start cibox"
echo "install.sh: then check this machine: cibox doctor"
