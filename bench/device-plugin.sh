#!/usr/bin/env bash
# The device plugin benchmarks (docs/benchmarks.md): Allocate latency next to a no-op call on the same socket,
# re-registration after a kubelet restart, and the node agent's resident memory next to an idle JVM with the same
# flags (DevicePluginBench, AgentMemory). Needs a build: ./mvnw -B -ntp install -DskipTests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
cp=$(./mvnw -B -ntp -q -pl gpuop-node dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "gpuop-node/target/test-classes:gpuop-node/target/classes:$cp" \
  dev.gpuop.node.bench.DevicePluginBench "${1:-10000}" "$PWD" 2> >(grep -vE 'SO_KEEPALIVE|AbstractBootstrap|^(INFO|Nov )' >&2)
