#!/usr/bin/env bash
# Builds the two images of Samples/service-containers from busybox-static's /bin/busybox, with no network and no
# container engine, as docker-archive tarballs (what `docker save` writes: manifest.json, the config named by its
# sha256, plain tar layers):
#   OUTDIR/app.tar   cibox-samples/app:1   a busybox root with a `circleci` user (uid 3434, home /home/circleci)
#   OUTDIR/web.tar   cibox-samples/web:1   the same root layer, plus /www/index.html served by busybox httpd on 8080
# The tarballs are reproducible: fixed mtimes, entries in C-sorted order, numeric owners, no compression, so the
# same busybox gives byte-identical tarballs (and the same digests) on every run.
#   scripts/build-sample-images.sh OUTDIR
set -euo pipefail
out="${1:?usage: build-sample-images.sh OUTDIR}"
busybox=/bin/busybox
if [ ! -x "$busybox" ]; then
  echo "build-sample-images: $busybox is missing: install busybox-static (apt-get install busybox-static)" >&2
  exit 1
fi
# 2026-01-01T00:00:00Z: every entry's mtime and the configs' `created`.
epoch=1767225600
created=2026-01-01T00:00:00Z
case "$(uname -m)" in
  x86_64) architecture=amd64 ;;
  aarch64 | arm64) architecture=arm64 ;;
  *) architecture="$(uname -m)" ;;
esac
work="$(mktemp -d /tmp/cibox-sample-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT
umask 022
tar_options=(--format=ustar --numeric-owner "--mtime=@$epoch" --no-recursion)

# Writes the entries under ROOT to TARBALL, C-sorted; all owned by root except home/circleci and what it holds
# (3434, the `circleci` user). Entries with the same owner go in one `tar -r`.
pack() {
  local root="$1" tarball="$2" path owner batch_owner=""
  local batch="$work/batch"
  : >"$batch"
  flush() {
    if [ -s "$batch" ]; then
      tar -rf "$tarball" -C "$root" "${tar_options[@]}" --owner="$batch_owner" --group="$batch_owner" -T "$batch"
    fi
    : >"$batch"
  }
  rm -f "$tarball"
  while IFS= read -r path; do
    case "$path" in
      home/circleci | home/circleci/*) owner=3434 ;;
      *) owner=0 ;;
    esac
    if [ "$owner" != "$batch_owner" ]; then
      flush
      batch_owner="$owner"
    fi
    printf '%s\n' "$path" >>"$batch"
  done < <(cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort)
  flush
}

# The sha256 of FILE, in hex.
hex_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# The base layer: /bin/busybox and a link for each of its applets, /etc/passwd and /etc/group with root and circleci,
# /home/circleci, /root, /tmp (1777).
base="$work/base"
mkdir -p "$base/bin" "$base/etc" "$base/home/circleci" "$base/root" "$base/tmp"
cp "$busybox" "$base/bin/busybox"
"$busybox" --list | while IFS= read -r applet; do
  if [ "$applet" != busybox ]; then ln -s busybox "$base/bin/$applet"; fi
done
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "circleci:x:3434:3434:circleci:/home/circleci:/bin/sh" \
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >"$base/etc/passwd"
printf '%s\n' "root:x:0:" "circleci:x:3434:" "nogroup:x:65534:" >"$base/etc/group"
chmod 0755 "$base/bin" "$base/bin/busybox" "$base/etc" "$base/home" "$base/home/circleci"
chmod 0644 "$base/etc/passwd" "$base/etc/group"
chmod 0700 "$base/root"
chmod 1777 "$base/tmp"

# The web layer: /www/index.html.
web="$work/web"
mkdir -p "$web/www"
printf 'hello from the web service\n' >"$web/www/index.html"
chmod 0755 "$web/www"
chmod 0644 "$web/www/index.html"

pack "$base" "$work/base.tar"
pack "$web" "$work/web.tar"
base_hex="$(hex_of "$work/base.tar")"
web_hex="$(hex_of "$work/web.tar")"

# Writes OUTDIR/NAME.tar: the image REFERENCE of LAYER_HEX… (layer tars under $work) with CONFIG (the "config"
# object's JSON).
archive() {
  local name="$1" reference="$2" config="$3"
  shift 3
  local folder="$work/archive-$name" diff_ids="" layers="" hex
  mkdir -p "$folder"
  for hex in "$@"; do
    mkdir -p "$folder/$hex"
    cp "$work/layer-$hex.tar" "$folder/$hex/layer.tar"
    chmod 0755 "$folder/$hex"
    chmod 0644 "$folder/$hex/layer.tar"
    diff_ids+="${diff_ids:+,}\"sha256:$hex\""
    layers+="${layers:+,}\"$hex/layer.tar\""
  done
  printf '{"architecture":"%s","config":%s,"created":"%s","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$architecture" "$config" "$created" "$diff_ids" >"$folder/config.json"
  local config_hex
  config_hex="$(hex_of "$folder/config.json")"
  mv "$folder/config.json" "$folder/$config_hex.json"
  printf '[{"Config":"%s","RepoTags":["%s"],"Layers":[%s]}]' "$config_hex.json" "$reference" "$layers" \
    >"$folder/manifest.json"
  chmod 0644 "$folder/$config_hex.json" "$folder/manifest.json"
  pack "$folder" "$work/$name.tar"
}

cp "$work/base.tar" "$work/layer-$base_hex.tar"
cp "$work/web.tar" "$work/layer-$web_hex.tar"
path='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
archive app cibox-samples/app:1 "{\"Env\":[$path,\"SAMPLE_IMAGE=app\"],\"Cmd\":[\"/bin/sh\"]}" "$base_hex"
archive web cibox-samples/web:1 \
  "{\"Env\":[$path,\"SAMPLE_IMAGE=web\"],\"Entrypoint\":[\"/bin/httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"]}" \
  "$base_hex" "$web_hex"

mkdir -p "$out"
for name in app web; do
  cp "$work/$name.tar" "$out/$name.tar.partial"
  mv "$out/$name.tar.partial" "$out/$name.tar"
  echo "build-sample-images: $out/$name.tar (cibox-samples/$name:1, sha256:$(hex_of "$out/$name.tar"))"
done
