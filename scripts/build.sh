#!/usr/bin/env bash
# Builds gpuop (all modules, tests skipped) with the Maven wrapper and a JDK 25; bin/gpuop then runs the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
exec ./mvnw -B -ntp -DskipTests package "$@"
