#!/usr/bin/env bash
# Checks every shell script parses (bash -n) and starts with a shebang.
set -euo pipefail
status=0
for script in scripts/*.sh src/*.sh tests/*.sh; do
  bash -n "$script" || status=1
  head -1 "$script" | grep -q '^#!' || { echo "$script: no shebang"; status=1; }
done
echo "lint: checked $(ls scripts/*.sh src/*.sh tests/*.sh | wc -l) scripts"
exit $status
