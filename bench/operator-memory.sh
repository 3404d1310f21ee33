#!/usr/bin/env bash
# Where the operator's resident memory goes at N KWOK GPU nodes (default 5,000; docs/benchmarks.md): the real
# operator process (bin/gpuop operator, its production JVM flags plus GPUOP_JAVA_OPTS) on fresh nodes, until every
# node is labelled and the policy is ready, then after a settling pause: VmRSS, the JVM's own accounting by part
# (native memory tracking, summary), the heap's use, the largest classes on the heap after a full collection, and
# VmRSS again after that collection (what the heap could give back).
# GPUOP_MEM_PROFILE=1: after the measures, changes the policy five times (the device plugin's env) under a flight
# recording and prints the methods those reconciles spent their samples in (`jfr view hot-methods`).
# Needs a build and testenv, as bench/side-by-side.sh. Usage: operator-memory.sh [NODES] ; GPUOP_MEM_SETTLE=seconds
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
n=${1:-5000}
settle=${GPUOP_MEM_SETTLE:-30}
export GPUOP_TESTENV_KUBELET=0
kubeconfig=$(GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up | tail -1)
kc() { KUBECONFIG=$kubeconfig testenv/.bin/kubectl "$@"; }
kc apply --server-side --force-conflicts -f gpuop-api/target/classes/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml \
  >/dev/null
kc wait --for=condition=Established crd/clusterpolicies.gpuop.dev >/dev/null
kc get ns gpuop-bench >/dev/null 2>&1 || kc create ns gpuop-bench >/dev/null
kc delete clusterpolicy --all --wait >/dev/null
kc create -f bench/operator-scale-policy.yaml >/dev/null
bash testenv/cluster.sh kwok 0 >/dev/null
GPUOP_KWOK_TAINT=1 bash testenv/cluster.sh kwok "$n" >/dev/null
log=$(mktemp)
start=$(date +%s.%N)
KUBECONFIG=$kubeconfig GPUOP_JAVA_OPTS="-XX:NativeMemoryTracking=summary ${GPUOP_JAVA_OPTS:-}" bin/gpuop operator \
  --namespace gpuop-bench --node-agent-image gpuop/gpuop:dev --leader-elect=false --metrics-port 0 --health-port 0 \
  >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
state=""
while [ "$state" != ready ]; do
  kill -0 $pid 2>/dev/null || { echo "operator died:"; tail -30 "$log"; exit 1; }
  state=$(kc get clusterpolicy bench -o jsonpath='{.status.state}' 2>/dev/null || true)
  sleep 1
done
labelled=$(kc get nodes -l nvidia.com/gpu.deploy.node-agent=true -o name | wc -l)
printf 'operator at %d nodes: policy ready %.1f s after start, %d nodes labelled\n' "$n" \
  "$(echo "$(date +%s.%N) - $start" | bc)" "$labelled"
# the reconciles so far: the first labels every node, its time is most of the time to ready
grep -E 'reconciled ClusterPolicy' "$log" | head -3 | sed 's/^/  /'
sleep "$settle"
jcmd() { "$JAVA_HOME/bin/jcmd" $pid "$@"; }
rss() { awk '/VmRSS/ {printf "%d MiB", $2 / 1024}' /proc/$pid/status; }
heap() { # the serial GC's two generations: used and committed, summed
  jcmd GC.heap_info | awk '/^ *(def new generation|tenured generation|DefNew|Tenured) / {for (i=1;i<=NF;i++) {
    if ($i=="used") {u=$(i+1); sub(/K,?$/, "", u); used+=u} if ($i=="total") {t=$(i+1); sub(/K,?$/, "", t); tot+=t}}}
    END {printf "%d MiB used of %d MiB committed", used/1024, tot/1024}'
}
echo "RSS $(rss); heap $(heap)"
jcmd VM.native_memory summary | awk '/^-/ || /committed=/ && /^Total/' | sed -n '1,40p' |
  grep -E '^(Total|-)' | sed -E 's/\(reserved=[0-9]+KB, //; s/\)$//'
jcmd GC.run >/dev/null
echo "after a full collection: RSS $(rss); heap $(heap)"
jcmd GC.class_histogram | sed -n '1,18p'
if [ "${GPUOP_MEM_PROFILE:-0}" = 1 ]; then
  jfr=$(mktemp -d)/operator.jfr
  jcmd JFR.start name=policy settings=profile >/dev/null
  for i in 1 2 3 4 5; do
    kc patch clusterpolicy bench --type merge -p '{"spec":{"devicePlugin":{"env":[{"name":"PROFILE","value":"'$i'"}]}}}' \
      >/dev/null
    sleep 5
  done
  grep -E 'reconciled ClusterPolicy' "$log" | tail -5 | sed 's/^/  /'
  jcmd JFR.dump name=policy filename="$jfr" >/dev/null
  "$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$jfr"
fi
kill $pid
wait $pid 2>/dev/null || true
kc delete clusterpolicy bench --wait >/dev/null
bash testenv/cluster.sh kwok 0 >/dev/null
