#!/bin/sh
# Installs cibox from this offline bundle on Debian 12 (bookworm, amd64), with dpkg only: no apt, no network.
#   sudo sh install.sh
# It checks the files against SHA256SUMS, leaves out every package this machine already has at the same or a
# newer version (dpkg -i would downgrade it), and installs the rest with one dpkg -i. Running it again is safe.
set -eu
cd "$(dirname "$0")"

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run it as root: sudo sh $0"
# shellcheck source=/dev/null
distribution="$(. /etc/os-release 2>/dev/null && echo "${ID:-unknown} ${VERSION_ID:-}")" || distribution=unknown
arch="$(dpkg --print-architecture 2>/dev/null)" || arch=unknown
if [ "$distribution" != "debian 12" ] || [ "$arch" != amd64 ]; then
    fail "this bundle is for Debian 12 (bookworm) on amd64, and this machine is $distribution on $arch: build a bundle on a connected machine of this kind (make bundle), or build cibox from source"
fi

echo "install.sh: checking the files against SHA256SUMS"
sha256sum --quiet -c SHA256SUMS || fail "some files do not match SHA256SUMS: copy the bundle again"

set --
have=0
total=0
for deb in *.deb; do
    total=$((total + 1))
    package="$(dpkg-deb -f "$deb" Package)"
    version="$(dpkg-deb -f "$deb" Version)"
    architecture="$(dpkg-deb -f "$deb" Architecture)"
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
done

echo "install.sh: $# of $total packages to install ($have already here at the same or a newer version)"
if [ "$#" -gt 0 ]; then
    # An upgrade keeps the admin's edits of a conffile (/etc/cibox/settings.yml) without asking; the new version's
    # file is put beside it as settings.yml.dpkg-dist.
    dpkg --force-confdef --force-confold -i "$@" || fail "dpkg -i failed (see above); fix what it names, then run install.sh again"
fi
dpkg --configure -a

echo "install.sh: installed cibox $(cibox --version)"
echo "install.sh: next, start the service (it is enabled, not started): systemctl start cibox"
echo "install.sh: then check this machine: cibox doctor"
