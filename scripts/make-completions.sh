#!/usr/bin/env bash
# Writes cibox's shell completions into OUT_DIR: cibox.bash (its #! line removed: Debian's bash-completion loads
# it, it is not run), _cibox (zsh) and cibox.fish.
#   scripts/make-completions.sh PATH_TO_CIBOX OUT_DIR
set -euo pipefail
cibox="${1:?usage: make-completions.sh PATH_TO_CIBOX OUT_DIR}"
out="${2:?usage: make-completions.sh PATH_TO_CIBOX OUT_DIR}"
rm -rf "$out"
mkdir -p "$out"
"$cibox" --generate-completion-script bash | sed '1{/^#!/d}' >"$out/cibox.bash"
"$cibox" --generate-completion-script zsh >"$out/_cibox"
"$cibox" --generate-completion-script fish >"$out/cibox.fish"
