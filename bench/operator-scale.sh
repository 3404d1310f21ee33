#!/usr/bin/env bash
# The operator at 10, 100, 1,000 and 5,000 GPU nodes (KWOK nodes on testenv; docs/benchmarks.md):
#  1. OperatorScaleBench: one reconcile's wall time and API calls with fresh nodes (every node gets labelled) and in
#     steady state (must write nothing), next to one LIST of all nodes measured in the same run;
#  2. the real operator process (bin/gpuop operator, its production JVM flags) started against 5,000 fresh nodes:
#     time until every node carries its labels, then its heap after a full GC and its resident memory.
# Needs a build (./mvnw -B -ntp install -DskipTests) and testenv (bash testenv/build.sh). Usage: operator-scale.sh [SIZES]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
sizes=${1:-10,100,1000,5000}
kubeconfig=$(GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up | tail -1)
cp=$(./mvnw -B -ntp -q -o -pl gpuop-cli dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Djava.util.logging.config.file=/dev/null \
  -cp "gpuop-cli/target/test-classes:gpuop-cli/target/classes:$cp" dev.gpuop.cli.bench.OperatorScaleBench "$sizes" \
  2> >(grep -vE '^(INFO|WARNING: An illegal|Nov |[A-Z][a-z]{2} [0-9]+, )|reconciled ClusterPolicy' >&2)

n=${sizes##*,}
kc() { KUBECONFIG=$kubeconfig testenv/.bin/kubectl "$@"; }
bash testenv/cluster.sh kwok 0 >/dev/null
bash testenv/cluster.sh kwok "$n" >/dev/null
log=$(mktemp)
start=$(date +%s.%N)
KUBECONFIG=$kubeconfig bin/gpuop operator --namespace gpuop-bench --leader-elect=false --metrics-port 0 \
  --health-port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
while :; do
  labelled=$(kc get nodes -l nvidia.com/gpu.deploy.node-agent=true -o name | wc -l)
  [ "$labelled" -ge "$n" ] && break
  kill -0 $pid 2>/dev/null || { echo "operator died:"; tail -30 "$log"; exit 1; }
  sleep 0.5
done
end=$(date +%s.%N)
sleep 5
"$JAVA_HOME/bin/jcmd" $pid GC.run >/dev/null
heap=$("$JAVA_HOME/bin/jcmd" $pid GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}')
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
printf 'real operator, %d fresh GPU nodes: all labelled %.1f s after start; heap used after GC %s; RSS %d MiB\n' \
  "$n" "$(echo "$end - $start" | bc)" "$heap" $((rss / 1024))
grep -E 'reconciled ClusterPolicy' "$log" | head -3
kill $pid
wait $pid 2>/dev/null || true
bash testenv/cluster.sh kwok 0 >/dev/null
