#!/usr/bin/env bash
# Runs the wordcount tool end to end on a file and on standard input.
set -euo pipefail
text="${SAMPLE_TEXT:-a b c}"
printf '%s\n' "$text" > /tmp/cibox-sample-$$.txt
trap 'rm -f /tmp/cibox-sample-$$.txt' EXIT
from_file="$(./scripts/wordcount.sh /tmp/cibox-sample-$$.txt | cut -d' ' -f1)"
from_stdin="$(printf '%s\n' "$text" | ./scripts/wordcount.sh)"
echo "file: $from_file, stdin: $from_stdin"
[ "$from_file" = "$from_stdin" ]
[ "$from_file" -eq "$(printf '%s\n' "$text" | wc -w)" ]
