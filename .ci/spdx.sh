#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX licence identifiers in every tracked source file.
#   bash .ci/spdx.sh           adds them where missing (idempotent: a second run changes nothing)
#   bash .ci/spdx.sh --check   lists the files that lack one and fails if any does
# Java, C and jshell sources get "// SPDX-License-Identifier: Apache-2.0" as their first line;
# shell scripts (*.sh, or a tracked file whose first line is a #! to a shell) get the "#" form
# right after the shebang. Only files tracked by git are touched.
# .ci/run runs the check once .ci/spdx.enabled exists (the lead adds it after the first run).
set -euo pipefail
cd "$(dirname "$0")/.."

SPDX='SPDX-License-Identifier: Apache-2.0'
mode=${1:-fix}
case "$mode" in
  fix|--check) ;;
  *) echo "usage: bash .ci/spdx.sh [--check]" >&2; exit 2 ;;
esac

# An identifier counts only near the top, where tools look for it.
has_spdx() {
  head -n 3 "$1" | grep -q 'SPDX-License-Identifier:'
}

is_shell_script() {
  case "$1" in
    *.sh) return 0 ;;
  esac
  head -n 1 "$1" | grep -Eq '^#!.*(/|env )(ba|da|z|k)?sh( |$)'
}

missing=()
while IFS= read -r -d '' file; do
  [ -f "$file" ] || continue
  case "$file" in
    *.java|*.c|*.h|*.jsh) kind=slash ;;
    *) if is_shell_script "$file"; then kind=hash; else continue; fi ;;
  esac
  has_spdx "$file" && continue
  if [ "$mode" = --check ]; then
    missing+=("$file")
    continue
  fi
  tmp=$(mktemp)
  if [ "$kind" = slash ]; then
    { printf '// %s\n' "$SPDX"; cat "$file"; } > "$tmp"
  elif head -n 1 "$file" | grep -q '^#!'; then
    { head -n 1 "$file"; printf '# %s\n' "$SPDX"; tail -n +2 "$file"; } > "$tmp"
  else
    { printf '# %s\n' "$SPDX"; cat "$file"; } > "$tmp"
  fi
  cat "$tmp" > "$file" # keeps the file's mode (mvnw and the scripts stay executable)
  rm -f "$tmp"
  echo "added: $file"
done < <(git ls-files -z)

if [ "$mode" = --check ]; then
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'missing %s: %s\n' "$SPDX" "${missing[@]}" >&2
    echo "${#missing[@]} file(s) lack an SPDX line; run: bash .ci/spdx.sh" >&2
    exit 1
  fi
  echo "SPDX: every tracked source file has its licence identifier"
fi
