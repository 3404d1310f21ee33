#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. every module's unit (*Test) and integration (*IT) tiers through Maven, with a JDK 25;
#   2. the end-to-end tier (*E2E) against the real one-node cluster of testenv/ (built from Go modules, started
#      here, stopped at the end), with the chaos scenarios (*ChaosE2E) a few times each; --chaos-long as the first
#      argument runs them 100 times each. It needs root; GPUOP_E2E=0 skips it.
# GPU tests (JUnit tag `gpu`) are left out here; scripts/device-bundle.sh carries them to a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
echo "JAVA_HOME=$JAVA_HOME"
e2e=${GPUOP_E2E:-1}
# --chaos-long: the chaos scenarios (*ChaosE2E) at their full counts, 100 faults each, instead of CI's few, and
# the toolkit's config write killed 1,000 times instead of 100 (SafeFileWriterCrashIT)
chaos=()
if [ "${1:-}" = --chaos-long ]; then
  chaos=(-Dgpuop.chaos.runs=100 -Dgpuop.chaos.kills=1000)
  shift
fi
# testenv's containerd 2.x also serves the toolkit ITs, so it is built before them
[ "$e2e" != 1 ] || bash testenv/build.sh
./mvnw -B -ntp install "${chaos[@]}" "$@"
if [ "$e2e" != 1 ]; then
  echo "GPUOP_E2E=0: end-to-end tier skipped"
  exit 0
fi
scripts/build-image.sh
trap 'bash testenv/cluster.sh down >/dev/null 2>&1 || true' EXIT
GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up >/dev/null
./mvnw -B -ntp -Pe2e verify -pl gpuop-cli -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false "${chaos[@]}" "$@"
