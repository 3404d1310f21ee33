#!/usr/bin/env bash
# The whole test suite, as CI runs it: every module's unit and integration tiers through Maven, with a JDK 25.
# GPU tests (JUnit tag `gpu`) are left out here; scripts/device-bundle.sh carries them to a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
echo "JAVA_HOME=$JAVA_HOME"
exec ./mvnw -B -ntp verify "$@"
