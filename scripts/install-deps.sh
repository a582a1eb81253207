#!/usr/bin/env bash
# Installs the Debian packages cibox needs to build, test and run, when any is missing.
set -euo pipefail
# chromium: the report's browser test (headless screenshots, console errors).
packages=(libgit2-dev libsqlite3-dev libarchive-dev libxml2-dev pkg-config git zstd chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
