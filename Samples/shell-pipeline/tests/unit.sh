#!/usr/bin/env bash
# Unit tests for count_words.
set -euo pipefail
source src/count.sh
check() {
  local expected="$1" input="$2" actual
  actual="$(printf '%b' "$input" | count_words)"
  if [ "$actual" != "$expected" ]; then
    echo "FAIL: '$input' gave $actual, expected $expected"
    exit 1
  fi
  echo "ok: '$input' -> $actual"
}
check 0 ""
check 1 "word"
check 3 "one two  three"
check 4 "one\ntwo three\n four"
