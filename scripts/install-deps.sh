#!/usr/bin/env bash
# Installs the Debian packages cibox needs to build, test and run, when any is missing.
#   scripts/install-deps.sh        what building and running cibox needs
#   scripts/install-deps.sh test   that, plus what the tests need: Slurm and munge for the throwaway cluster of the
#                                  Slurm executor's tests (scripts/slurm-test-cluster.sh; no service is started)
#                                  and busybox-static, the one binary of the images the image tests (and
#                                  scripts/build-sample-images.sh) build; docker-registry and apache2-utils
#                                  (htpasswd) for the registry the pull tests start on loopback; docker.io for the
#                                  docker client the Docker engine tests drive; wrk, the load of cibox-bench's `api`;
#                                  and for the package test (make deb, make bundle, an install into a fresh Debian 12
#                                  root): dpkg-dev (dpkg-shlibdeps), lintian (the package must pass it), mmdebstrap
#                                  (the minimal root, scripts/debian-root.sh)
set -euo pipefail
# chromium: the report's browser test (headless screenshots, console errors). runc: the OCI runtime that runs jobs in
# their `docker:` images. skopeo: the registry client that pulls them. podman and iproute2: the jobs' Docker engines.
packages=(libgit2-dev zlib1g-dev libsqlite3-dev libarchive-dev libxml2-dev pkg-config git zstd chromium runc skopeo
  podman iproute2)
if [ "${1:-}" = "test" ]; then
  packages+=(slurmctld slurmd slurm-client munge busybox-static docker-registry apache2-utils docker.io wrk
    dpkg-dev lintian mmdebstrap)
fi
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
