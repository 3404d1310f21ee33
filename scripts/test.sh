#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. every module's unit (*Test) and integration (*IT) tiers through Maven, with a JDK 25;
#   2. the end-to-end tier (*E2E) against the real one-node cluster of testenv/ (built from Go modules, started
#      here, stopped at the end). It needs root; GPUOP_E2E=0 skips it.
# GPU tests (JUnit tag `gpu`) are left out here; scripts/device-bundle.sh carries them to a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
echo "JAVA_HOME=$JAVA_HOME"
e2e=${GPUOP_E2E:-1}
# testenv's containerd 2.x also serves the toolkit ITs, so it is built before them
[ "$e2e" != 1 ] || bash testenv/build.sh
./mvnw -B -ntp install "$@"
if [ "$e2e" != 1 ]; then
  echo "GPUOP_E2E=0: end-to-end tier skipped"
  exit 0
fi
scripts/build-image.sh
trap 'bash testenv/cluster.sh down >/dev/null 2>&1 || true' EXIT
GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up >/dev/null
./mvnw -B -ntp -Pe2e verify -pl gpuop-cli -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false "$@"
