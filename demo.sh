#!/usr/bin/env bash
# Builds loopwire and runs the demo on the module path. Usage: bash demo.sh
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q package -DskipTests -pl module-info-examples/demo -am
modules="module-info-examples/demo/target/modules:module-info-examples/demo/target/demo-0.1.0-SNAPSHOT.jar"
exec java --module-path "$modules" -m com.example.demo/com.example.demo.Demo "$@"
