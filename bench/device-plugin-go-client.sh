#!/usr/bin/env bash
# Allocate as a Go kubelet client times it, calls spaced as on a node (docs/benchmarks.md, ADR 0018): the node
# agent (bin/gpuop node-agent, 8 simulated GPUs) registers with bench/kubelet-go-client's stand-in, which waits for
# the agent's warm-up and then makes N GetPreferredAllocation + Allocate pairs GAP apart. One run per argument, each
# argument the agent's extra JVM options ('' for none); the word `go` runs the minimal Go plugin instead (the floor).
#   bench/device-plugin-go-client.sh '' -Dgpuop.devicePlugin.warmupCalls=2000 go
# Env: N (150), GAP (100ms), WAIT (12s: the agent's warm-up), PREWARM (0: pairs the client makes back to back first).
# RECONNECT (0): a new connection every this many pairs, as after a kubelet restart; its first Allocate apart.
# Needs a build (bin/gpuop) and Go; the client is built from the Go module proxy like testenv's binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d) pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
(cd bench/kubelet-go-client && go build -o "$work/kubelet-go-client" .)
printf 'devicePlugin:\n  enabled: true\n  kubeletDir: %s\nserver:\n  port: 18081\n' "$work/dp" >"$work/agent.yaml"
for opts in "$@"; do
	rm -rf "$work/dp" && mkdir -p "$work/dp"
	"$work/kubelet-go-client" -dir "$work/dp" -n "${N:-150}" -gap "${GAP:-100ms}" -wait "${WAIT:-12s}" \
		-prewarm "${PREWARM:-0}" -reconnect "${RECONNECT:-0}" >"$work/out" 2>"$work/err" &
	client=$! pids=("$client")
	sleep 0.5
	if [[ $opts == go ]]; then
		"$work/kubelet-go-client" -dir "$work/dp" -plugin-only & plugin=$!
	else
		GPUOP_JAVA_OPTS="$opts" bin/gpuop node-agent --config "$work/agent.yaml" --kubelet-dir "$work/dp" \
			--simulate h100-sxm-8x >"$work/agent.log" 2>&1 & plugin=$!
	fi
	pids+=("$plugin")
	wait "$client" || { cat "$work/err" "$work/agent.log" 2>/dev/null >&2; exit 1; }
	rss=$(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$plugin/status")
	echo "[${opts:-agent defaults}] $(cat "$work/out") RSS $rss $(grep -ho 'warmed up.*' "$work/agent.log" 2>/dev/null || true)"
	kill "$plugin"; wait "$plugin" 2>/dev/null || true
	rm -f "$work/agent.log"
done
