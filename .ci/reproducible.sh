#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the published artifacts twice from clean and checks that every jar (classes, sources,
# javadoc) is byte-identical: project.build.outputTimestamp fixes the dates in the jars, and the
# javadoc pages carry no timestamp. The published modules are the ones loopwire-bom lists.
#   bash .ci/reproducible.sh [extra maven arguments, e.g. -o]
# Exit status 0 when both builds match, 1 otherwise (the differing files are listed).
set -euo pipefail
cd "$(dirname "$0")/.."

published=()
for artifact in $(sed -n '/<dependencyManagement>/,/<\/dependencyManagement>/s:.*<artifactId>\(.*\)</artifactId>.*:\1:p' loopwire-bom/pom.xml); do
  [ "$artifact" = loopwire-bom ] && continue # the usage example in the BOM's comment
  if [ -f "$artifact/pom.xml" ]; then
    published+=("$artifact")
  else
    echo "note: $artifact is in the BOM but not in this tree; not checked" >&2
  fi
done
modules=$(IFS=,; echo "${published[*]}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() {
  mvn -B -ntp -q -Prelease clean package -DskipTests -Dgpg.skip -pl "$modules" -am "$@" \
    > "$work/build.log" 2>&1 || { tail -50 "$work/build.log" >&2; exit 2; }
}

hashes() {
  for module in "${published[@]}"; do
    sha256sum "$module"/target/*.jar
  done
}

build "$@"
hashes > "$work/first"
build "$@"
hashes > "$work/second"

jars=$(wc -l < "$work/first")
if [ "$jars" -lt "$((3 * ${#published[@]}))" ]; then
  echo "expected a jar, a sources jar and a javadoc jar per module; found only:" >&2
  cat "$work/first" >&2
  exit 1
fi
if diff "$work/first" "$work/second" > "$work/diff"; then
  echo "reproducible: $jars jars of ${#published[@]} modules are byte-identical across two builds"
  cat "$work/first"
else
  echo "NOT reproducible: these jars differ between two builds:" >&2
  cat "$work/diff" >&2
  exit 1
fi
