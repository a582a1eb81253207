#!/usr/bin/env bash
# Builds the Debian package OUT_DIR/cibox_VERSION_amd64.deb from a release build's cibox and cibox-sandbox, then
# checks it with lintian when lintian is installed. Prints the package's path last.
#   scripts/make-deb.sh BIN_DIR OUT_DIR
# Env: DEB_VERSION (default: `cibox --version`; the tests build an older package from the same binaries with it),
# SOURCE_DATE_EPOCH (default: the last commit's time; the files' mtimes and the changelog's and man pages' date),
# CIBOX_LINTIAN=0 (no lintian). The packaging files are in Resources/debian; the tree is staged in OUT_DIR/stage.
set -euo pipefail
bin="${1:?usage: make-deb.sh BIN_DIR OUT_DIR}"
out="${2:?usage: make-deb.sh BIN_DIR OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
debian="$root/Resources/debian"
for program in cibox cibox-sandbox; do
  if [ ! -x "$bin/$program" ]; then
    echo "make-deb: $bin/$program is missing: run make release" >&2
    exit 1
  fi
done
version="${DEB_VERSION:-$("$bin/cibox" --version)}"
# A native version (no Debian revision): its changelog is changelog.gz, not changelog.Debian.gz.
if ! [[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
  echo "make-deb: '$version' is not a native Debian version (digits first, then letters, digits, . + ~)" >&2
  exit 1
fi
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}"
export SOURCE_DATE_EPOCH
umask 022

mkdir -p "$out"
out="$(realpath "$out")"
stage="$out/stage"
# dpkg-shlibdeps wants debian/control and the package's tree at debian/PACKAGE.
pkg="$stage/debian/cibox"
rm -rf "$stage"
mkdir -p "$pkg/DEBIAN"

strip_into() { # strip_into PROGRAM DESTINATION (what dh_strip does)
  install -D -m 0755 "$1" "$2"
  strip --remove-section=.comment --remove-section=.note --strip-unneeded "$2"
}
strip_into "$bin/cibox" "$pkg/usr/bin/cibox"
# cibox looks for its job agent there when it is not beside it.
strip_into "$bin/cibox-sandbox" "$pkg/usr/lib/cibox/cibox-sandbox"

install -d -m 0755 "$pkg/lib/systemd/system"
sed 's#/usr/local/bin/cibox#/usr/bin/cibox#g' "$root/Resources/cibox.service" >"$pkg/lib/systemd/system/cibox.service"
chmod 0644 "$pkg/lib/systemd/system/cibox.service"
if ! grep -q '^ExecStart=/usr/bin/cibox ' "$pkg/lib/systemd/system/cibox.service"; then
  echo "make-deb: Resources/cibox.service: no ExecStart=/usr/local/bin/cibox … to point at /usr/bin/cibox" >&2
  exit 1
fi
# The service's settings: root's alone (contexts' values may be written in it), and jobs run as the package's user
# `cibox` for every cibox run as root on the package's home, the daemon's (--run-as) and an administrator's alike:
# they share caches and workspaces, which a job run as root must never take from one run as `cibox`.
install -d -m 0755 "$pkg/etc/cibox"
sed 's/^# run_as: cibox$/run_as: cibox/' "$root/Resources/settings.yml" >"$pkg/etc/cibox/settings.yml"
chmod 0600 "$pkg/etc/cibox/settings.yml"
if ! grep -qx 'run_as: cibox' "$pkg/etc/cibox/settings.yml"; then
  echo "make-deb: Resources/settings.yml has no '# run_as: cibox' line to turn on" >&2
  exit 1
fi

"$root/scripts/make-man.sh" "$bin/cibox" "$stage/man"
install -d -m 0755 "$pkg/usr/share/man/man1"
for page in "$stage"/man/*.1; do
  name="${page##*/}"
  gzip -9n <"$page" >"$pkg/usr/share/man/man1/$name.gz"
done
chmod 0644 "$pkg"/usr/share/man/man1/*.gz

"$root/scripts/make-completions.sh" "$bin/cibox" "$stage/completions"
install -D -m 0644 "$stage/completions/cibox.bash" "$pkg/usr/share/bash-completion/completions/cibox"
install -D -m 0644 "$stage/completions/_cibox" "$pkg/usr/share/zsh/vendor-completions/_cibox"
install -D -m 0644 "$stage/completions/cibox.fish" "$pkg/usr/share/fish/vendor_completions.d/cibox.fish"

doc="$pkg/usr/share/doc/cibox"
install -D -m 0644 "$debian/copyright" "$doc/copyright"
sed -e "s/@VERSION@/$version/g" -e "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/" "$debian/changelog" |
  gzip -9n >"$doc/changelog.gz"
gzip -9n <"$root/README.md" >"$doc/README.md.gz"
chmod 0644 "$doc"/*.gz
install -D -m 0644 "$debian/lintian-overrides" "$pkg/usr/share/lintian/overrides/cibox"

install -m 0755 "$debian/postinst" "$debian/prerm" "$debian/postrm" "$pkg/DEBIAN/"
install -m 0644 "$debian/conffiles" "$pkg/DEBIAN/"

printf 'Source: cibox\n\nPackage: cibox\nArchitecture: amd64\n' >"$stage/debian/control"
# dpkg-shlibdeps 1.21 warns that the binary "should already be installed in their package's directory" even when
# it is (debian/cibox/DEBIAN exists; it does so for any binary): that warning is dropped.
shlibs="$(cd "$stage" && dpkg-shlibdeps -O -e debian/cibox/usr/bin/cibox \
  2> >(grep -v "binaries to analyze should already be installed in their package's directory" >&2))"
shlibs="${shlibs#shlibs:Depends=}"
installed_size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
grep -v '^#' "$debian/control" |
  sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@SHLIBS@/$shlibs/" \
    >"$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"

find "$pkg" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
deb="$out/cibox_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz -z1 --build "$pkg" "$deb" >/dev/null

if [ "${CIBOX_LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
  # lintian warns that it runs as root; the package's findings are what matters.
  lintian --fail-on error,warning "$deb" 2> >(grep -v 'running with root privileges is not recommended' >&2)
fi
echo "$deb"
