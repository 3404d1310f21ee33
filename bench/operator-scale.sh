#!/usr/bin/env bash
# The operator at 10, 100, 1,000 and 5,000 GPU nodes (KWOK nodes on testenv; docs/benchmarks.md):
#  1. the real operator process (bin/gpuop operator, its production JVM flags) started against the largest size of
#     fresh nodes: time until every node carries its labels, then its heap after a full GC and its resident memory;
#  2. OperatorScaleBench, per size: one reconcile's wall time and API calls with fresh nodes (every node gets
#     labelled), after a policy change, and in steady state (must write nothing), next to baselines measured in the
#     same run (one LIST of all nodes; N bare label patches at the same concurrency).
# Needs a build (./mvnw -B -ntp install -DskipTests) and testenv (bash testenv/build.sh). Usage: operator-scale.sh [SIZES]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
sizes=${1:-10,100,1000,5000}
kubeconfig=$(GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up | tail -1)
cp=$(./mvnw -B -ntp -q -o -pl gpuop-cli dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
n=${sizes##*,}
kc() { KUBECONFIG=$kubeconfig testenv/.bin/kubectl "$@"; }
kc apply --server-side --force-conflicts -f gpuop-api/target/classes/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml >/dev/null
kc wait --for=condition=Established crd/clusterpolicies.gpuop.dev >/dev/null
kc get ns gpuop-bench >/dev/null 2>&1 || kc create ns gpuop-bench >/dev/null
kc delete clusterpolicy --all --wait >/dev/null
kc create -f bench/operator-scale-policy.yaml >/dev/null
bash testenv/cluster.sh kwok 0 >/dev/null
bash testenv/cluster.sh kwok "$n" >/dev/null
log=$(mktemp)
start=$(date +%s.%N)
KUBECONFIG=$kubeconfig bin/gpuop operator --namespace gpuop-bench --node-agent-image gpuop/gpuop:dev --leader-elect=false \
  --metrics-port 0 --health-port 0 >"$log" 2>&1 &
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
# the serial GC's two generations: sum what each uses
heap=$("$JAVA_HOME/bin/jcmd" $pid GC.heap_info | awk '/^(DefNew|Tenured) / {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1);
  sub(/K,?$/, "", v); kb+=v}} END {printf "%d MiB", kb/1024}')
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
printf 'real operator, %d fresh GPU nodes: all labelled %.1f s after start; heap used after GC %s; RSS %d MiB\n' \
  "$n" "$(echo "$end - $start" | bc)" "$heap" $((rss / 1024))
grep -E 'reconciled ClusterPolicy' "$log" | head -3
kill $pid
wait $pid 2>/dev/null || true
bash testenv/cluster.sh kwok 0 >/dev/null

"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Djava.util.logging.config.file=/dev/null \
  -cp "gpuop-cli/target/test-classes:gpuop-cli/target/classes:$cp" dev.gpuop.cli.bench.OperatorScaleBench "$sizes" \
  2> >(grep -vE '^(INFO|WARNING: An illegal|Nov |[A-Z][a-z]{2} [0-9]+, )|reconciled ClusterPolicy' >&2)

# leave the cluster as found: an older ClusterPolicy would make any later one `ignored`
kc delete clusterpolicy bench --wait >/dev/null
kc delete ns gpuop-bench --wait=false >/dev/null
bash testenv/cluster.sh kwok 0 >/dev/null
