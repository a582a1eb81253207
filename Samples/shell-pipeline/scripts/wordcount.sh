#!/usr/bin/env bash
# Counts the words of each file given (or of standard input) using src/count.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/src/count.sh"
if [ "$#" -eq 0 ]; then
  count_words
else
  for file in "$@"; do
    printf '%s %s\n' "$(count_words < "$file")" "$file"
  done
fi
