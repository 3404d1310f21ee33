#!/usr/bin/env bash
# GPU metrics scrape latency (docs/benchmarks.md): GET /metrics of the node agent's exporter with 8 simulated GPUs
# and 50 pods, next to GET /health on the same server (the HTTP floor, same run), and the exporter thread's CPU per
# scrape (ExporterScrapeBench), in a JVM with the node agent's flags. Needs a build: ./mvnw -B -ntp install -DskipTests.
#   bench/exporter-scrape.sh [SCRAPES] [--real]     (--real: the host's GPUs through NVML)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
cp=$(./mvnw -B -ntp -q -o -pl gpuop-node dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
# the node agent's own JVM flags (serial GC, 64 MiB heap, C2 only), so the numbers are the agent's
flags=$(bin/gpuop --print-node-agent-jvm-flags)
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $flags \
  -cp "gpuop-node/target/test-classes:gpuop-node/target/classes:$cp" \
  dev.gpuop.node.bench.ExporterScrapeBench "${1:-5000}" ${2:-} 2> >(grep -vE 'SO_KEEPALIVE|AbstractBootstrap|^(INFO|Nov |Dec )' >&2)
