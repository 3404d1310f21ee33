#!/usr/bin/env bash
# Builds gpuop (all modules, tests skipped) with the Maven wrapper and a JDK 25; bin/gpuop then runs the CLI,
# its short commands from an AOT cache trained here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
./mvnw -B -ntp -DskipTests package "$@"
# the short commands' ahead-of-time cache, trained on this host (bin/gpuop --make-aot-cache)
bin/gpuop --make-aot-cache
