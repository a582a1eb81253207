#!/usr/bin/env bash
# count_words: prints the number of whitespace-separated words on standard input.
count_words() {
  local total=0 line words
  while IFS= read -r line || [ -n "$line" ]; do
    read -r -a words <<< "$line"
    total=$((total + ${#words[@]}))
  done
  echo "$total"
}
