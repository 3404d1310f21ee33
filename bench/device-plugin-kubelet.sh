#!/usr/bin/env bash
# gpuop's device plugin against testenv's real kubelet on a machine without a GPU (the node agent on simulated GPUs):
# kubelet restarts to re-registration and to the kubelet's GPU list (read from the kubelet's own log, --v=2), then pods
# of one nvidia.com/gpu in turn, each Allocate call as the kubelet timed it (its
# kubelet_device_plugin_alloc_duration_seconds sum grows by exactly that call). The same measures as gpu-e2e.sh's
# `plugins` scenario on the GPU machine, where NVIDIA's plugin runs next to it; this one compares agent builds or JVM
# options here (GPUOP_JAVA_OPTS is passed on to bin/gpuop). Root; a build (scripts/build.sh); testenv built.
#   bench/device-plugin-kubelet.sh [RESTARTS] [PODS]
# GPUOP_DP_FIXTURE: the simulated GPUs (default h100-sxm-8x, 8 GPUs; h200 is one GPU, as on the GPU machine)
set -euo pipefail
cd "$(dirname "$0")/.."
restarts=${1:-8} pods=${2:-15}
export GPUOP_TESTENV_KUBELET_V=2 GPUOP_TESTENV_BUILD=${GPUOP_TESTENV_BUILD:-0}
dir=${GPUOP_TESTENV_DIR:-/tmp/gpuop-testenv}
klog=$dir/logs/kubelet.log dp=/var/lib/kubelet/device-plugins work=$(mktemp -d)
log() { printf '[device-plugin-kubelet %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
agent=""
cleanup() {
	cp "$work/agent.log" "${TMPDIR:-/tmp}/device-plugin-kubelet-agent.log" 2>/dev/null # the last run's, to read
	if [[ -n $agent ]]; then kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null || true; fi
	bash testenv/cluster.sh down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

bash testenv/cluster.sh down >/dev/null 2>&1 || true
export KUBECONFIG; KUBECONFIG=$(bash testenv/cluster.sh up | tail -1)
kc() { testenv/.bin/kubectl "$@"; }
node=$(kc get nodes -o jsonpath='{.items[0].metadata.name}')
image=docker.io/library/busybox:1.35 # imported by testenv's up
printf 'devicePlugin:\n  enabled: true\n  kubeletDir: %s\nserver:\n  port: 18081\n' "$dp" >"$work/agent.yaml"
bin/gpuop node-agent --config "$work/agent.yaml" --simulate "${GPUOP_DP_FIXTURE:-h100-sxm-8x}" >"$work/agent.log" 2>&1 &
agent=$!

# the first kubelet log line after line $2 matching $1 (awk, not tail | grep -m1: under pipefail that pipe fails)
since() { awk -v n="$2" -v pat="$1" 'NR > n && $0 ~ pat {print; found = 1; exit} END {exit !found}' "$klog"; }
epoch() { date -d "$(date +%Y)-${1:1:2}-${1:3:2} $2" +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
until since 'Got registration request.*nvidia.com/gpu' 0 >/dev/null; do
	kill -0 "$agent" 2>/dev/null || { cat "$work/agent.log"; exit 1; }
	sleep 0.2
done
# its warm-up (the kubelet's calls and rehearsed restarts, ADR 0018) done, or 30 s; none with warmupCalls=0
for _ in $(seq 150); do grep -q 'warmed up' "$work/agent.log" && break; sleep 0.2; done
grep -h 'warmed up' "$work/agent.log" >&2 || true
log "agent registered; $restarts kubelet restarts"
reg=() got=()
for ((i = 1; i <= restarts; i++)); do
	before=$(wc -l <"$klog")
	bash testenv/cluster.sh restart-kubelet >/dev/null 2>&1
	for _ in $(seq 100); do since 'State pushed for device plugin.*nvidia.com/gpu' "$before" >/dev/null && break; sleep 0.1; done
	# t0: the kubelet's line just before it wipes the directory and listens on kubelet.sock (its ctime has the
	# kernel's coarse clock, a tick of up to 4 ms)
	sock=$(epoch $(since 'Starting device plugin registration server' "$before"))
	reg+=("$(ms "$sock" "$(epoch $(since 'Got registration request.*nvidia.com/gpu' "$before"))")")
	got+=("$(ms "$sock" "$(epoch $(since 'State pushed for device plugin.*nvidia.com/gpu' "$before"))")")
done
echo "re-registration ms (the kubelet's registration server starting to its registration line): ${reg[*]}"
echo "GPU list at the kubelet ms (to 'State pushed for device plugin'): ${got[*]}"

histogram() {
	kc get --raw "/api/v1/nodes/$node/proxy/metrics" | awk '
		/^kubelet_device_plugin_alloc_duration_seconds_(sum|count)\{resource_name="nvidia.com\/gpu"\}/ {
			v[$1 ~ /_sum/ ? "s" : "c"] = $2 }
		END {printf "%.9f %d\n", v["s"], v["c"]}'
}
sleep 3 # the restarted kubelet's first pod sync
before=$(histogram) calls=()
for ((i = 1; i <= pods; i++)); do
	kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: dp-bench-$i}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: $image, imagePullPolicy: Never, command: ["true"], resources: {limits: {nvidia.com/gpu: 1}}}
EOF
	for _ in $(seq 300); do
		[[ $(kc get pod "dp-bench-$i" -o jsonpath='{.status.phase}') =~ Succeeded|Failed ]] && break
		sleep 0.2
	done
	after=$(histogram)
	calls+=("$(awk -v b="$before" -v a="$after" 'BEGIN {split(b, x); split(a, y)
		if (y[2] != x[2] + 1) print "calls:" y[2] - x[2]; else printf "%.3f", (y[1] - x[1]) * 1000}')")
	before=$after
	kc delete pod "dp-bench-$i" --wait=false >/dev/null
done
echo "Allocate ms as the kubelet timed each pod's call: ${calls[*]}"
echo "agent RSS: $(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$agent/status")"
