#!/usr/bin/env bash
# The node agent's resident memory as on a GPU node (docs/benchmarks.md, issue 5): bin/gpuop node-agent serving 8
# simulated H100s to testenv's real kubelet and reporting on its Node object through a least-privilege service
# account over TLS, as in a pod. Each JVM flag set runs for 90 s, then its VmRSS is read; the baseline is an idle
# JVM with the same flags in the same run. Needs a build and testenv; run as root (the kubelet's socket dir).
# Usage: node-agent-memory.sh   (the flags of bin/gpuop --print-node-agent-jvm-flags, and the same without the periodic
# malloc trim beside them)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
kubeconfig=$(GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up | tail -1)
kc() { KUBECONFIG=$kubeconfig testenv/.bin/kubectl "$@"; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
kc create serviceaccount gpuop-agent-bench -n default --dry-run=client -o yaml | kc apply -f - >/dev/null
kc create clusterrole gpuop-agent-bench --verb=get,patch --resource=nodes --dry-run=client -o yaml | kc apply -f - >/dev/null
kc create clusterrolebinding gpuop-agent-bench --clusterrole=gpuop-agent-bench \
  --serviceaccount=default:gpuop-agent-bench --dry-run=client -o yaml | kc apply -f - >/dev/null
mkdir -p "$dir/sa"
kc create token gpuop-agent-bench -n default --duration=1h >"$dir/sa/token"
kc config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$dir/sa/ca.crt"
printf 'devicePlugin:\n  kubeletDir: /var/lib/kubelet/device-plugins\nserver:\n  port: 0\n' >"$dir/agent.yaml"
printf 'public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(60000); } }\n' \
  >"$dir/Sleep.java"
"$JAVA_HOME/bin/javac" -d "$dir" "$dir/Sleep.java"
lib=${GPUOP_AGENT_LIB:-gpuop-cli/target/lib}
jar=$(ls gpuop-cli/target/gpuop-cli-*.jar | grep -v -- '-tests\.jar$' | head -1)
base=$(bin/gpuop --print-node-agent-jvm-flags)
export MALLOC_ARENA_MAX=2

measure() { # measure NAME FLAGS...
  local name=$1; shift
  KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=6443 GPUOP_SERVICEACCOUNT_DIR="$dir/sa" \
    "$JAVA_HOME/bin/java" "$@" --enable-native-access=ALL-UNNAMED -cp "$jar:$lib/*" dev.gpuop.cli.GpuopCommand \
    node-agent --config "$dir/agent.yaml" --simulate h100-sxm-8x --node-name gpuop-node >"$dir/agent.log" 2>&1 &
  local pid=$!
  sleep 90
  grep -q "registered nvidia.com/gpu with 8" "$dir/agent.log" || { echo "$name: not registered"; tail "$dir/agent.log"; }
  local rss; rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  # baseline, same run: a JVM with the same flags that only sleeps
  "$JAVA_HOME/bin/java" "$@" -cp "$dir" Sleep &
  local idle=$!
  sleep 10
  local base; base=$(awk '/VmRSS/ {print $2}' /proc/$idle/status)
  kill $idle; wait $idle 2>/dev/null || true
  printf '%-22s agent %6.1f MiB   idle JVM %5.1f MiB   agent/idle %.2f\n' "$name" "$(echo "$rss / 1024" | bc -l)" \
    "$(echo "$base / 1024" | bc -l)" "$(echo "$rss / $base" | bc -l)"
}
# shellcheck disable=SC2086
measure "bin/gpuop flags" $base
# shellcheck disable=SC2086
measure "the same, no malloc trim" $(echo "$base" | sed 's/-XX:TrimNativeHeapInterval=[0-9]*//')
kc delete clusterrolebinding,clusterrole gpuop-agent-bench >/dev/null
kc delete serviceaccount gpuop-agent-bench -n default >/dev/null
