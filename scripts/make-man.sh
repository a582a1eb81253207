#!/usr/bin/env bash
# Writes cibox's man pages (mdoc, one per command: cibox.1, cibox-run.1, cibox-image-load.1, …) into OUT_DIR with
# swift-argument-parser's generate-manual tool, which reads `cibox --experimental-dump-help`.
#   scripts/make-man.sh PATH_TO_CIBOX OUT_DIR
# The tool is built once, at low priority, as its own small package in .build/manual-tool: the SwiftPM plugin
# (`swift package generate-manual`) would rebuild every product into .build/release without -static-stdlib.
# The pages' date is SOURCE_DATE_EPOCH's (default: the last commit's), so they are reproducible.
# Env: ARGUMENT_PARSER_DIR (default .build/checkouts/swift-argument-parser, there after any build of cibox),
# MANUAL_TOOL_DIR (default .build/manual-tool), SWIFT (default swift).
set -euo pipefail
cibox="${1:?usage: make-man.sh PATH_TO_CIBOX OUT_DIR}"
out="${2:?usage: make-man.sh PATH_TO_CIBOX OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
parser="${ARGUMENT_PARSER_DIR:-$root/.build/checkouts/swift-argument-parser}"
scratch="${MANUAL_TOOL_DIR:-$root/.build/manual-tool}"
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}"
if [ ! -f "$parser/Package.swift" ]; then
  echo "make-man: $parser has no Package.swift: build cibox first (swift build), or set ARGUMENT_PARSER_DIR" >&2
  exit 1
fi
cibox="$(realpath "$cibox")"
rm -rf "$out"
mkdir -p "$out"
nice -n 19 "${SWIFT:-swift}" run --package-path "$parser" --scratch-path "$scratch" -c release generate-manual \
  "$cibox" --multi-page --date "$(date -u -d "@$epoch" +%F)" --authors "cibox authors" -o "$out"

# The tool names a subcommand's page cibox.run.1 and its NAME "cibox run". man-db indexes only one-word names
# (lexgrog fails on the space: no whatis entry, and lintian's bad-whatis-entry), and `man cibox run` looks for
# cibox-run. So the pages become cibox-run.1 named cibox-run, as git's are, while their synopsis still shows the
# command as typed, "cibox run".
for page in "$out"/cibox.*.1; do
  base="${page##*/}"
  base="${base%.1}"
  dashed="${base//./-}"
  words="${base//./ }"
  perl -pe 's/^\.Dt \S+ 1$/.Dt \U'"$dashed"'\E 1/; s/^\.Nm "'"$words"'"$/.Nm '"$dashed"'/; s/^\.Nm$/.Nm "'"$words"'"/' \
    "$page" >"$out/$dashed.1"
  rm "$page"
done
# Cross references (SEE ALSO) to the renamed pages. And the one-line descriptions without the quotes the tool
# puts around them: .Nd takes the rest of its line, and whatis and apropos would show them.
perl -pi -e 's/^(\.Xr )(cibox\.\S+)/$1 . ($2 =~ tr|.|-|r)/e; s/^\.Nd "([^"]*)"$/.Nd $1/' "$out"/*.1
