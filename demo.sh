#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds loopwire and runs the demo on the module path. Usage:
#   bash demo.sh            the demo: loops, providers, resolution, heartbeats, the rogue refused
#   bash demo.sh --inspect  the same module path in jshell: module-info-examples/inspect-providers.jsh
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q package -DskipTests -pl module-info-examples/demo -am
modules="module-info-examples/demo/target/modules:module-info-examples/demo/target/demo-0.1.0-SNAPSHOT.jar"
if [ "${1:-}" = "--inspect" ]; then
  echo "jshell --module-path $modules --add-modules ALL-MODULE-PATH module-info-examples/inspect-providers.jsh"
  exec jshell --module-path "$modules" --add-modules ALL-MODULE-PATH module-info-examples/inspect-providers.jsh
fi
java --module-path "$modules" -m com.example.demo/com.example.demo.Demo "$@"
echo "Inspect the same module path in jshell (or: bash demo.sh --inspect):"
echo "  jshell --module-path $modules --add-modules ALL-MODULE-PATH module-info-examples/inspect-providers.jsh"
