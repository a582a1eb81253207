#!/usr/bin/env bash
# Makes a git repository from Samples/shell-pipeline in a temp folder and runs its pipeline with cibox.
set -euo pipefail
cibox="${1:?usage: demo.sh PATH_TO_CIBOX}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/cibox-demo.XXXXXX)"
cp -R "$root/Samples/shell-pipeline/." "$work/"
git -C "$work" init -q -b main
git -C "$work" add -A
git -C "$work" -c user.name="cibox demo" -c user.email="demo@example.com" -c commit.gpgsign=false \
  commit -q -m "Sample pipeline"
export CIBOX_HOME="${CIBOX_HOME:-$work/.cibox-home}"
echo "demo: repository $work, state in $CIBOX_HOME"
"$cibox" run "$work"
echo
"$cibox" pipelines
echo
echo "demo: the HTML report is in $CIBOX_HOME/reports/index.html"
