#!/usr/bin/env bash
# The node agent's resident memory with the real NVML on a GPU machine, next to the same agent on simulated GPUs in
# the same run (the baseline that bench/node-agent-memory.sh measured under 100 MiB). Run as root from the unpacked
# device bundle (scripts/device-bundle.sh):  bench/node-agent-rss-gpu.sh [SECONDS]
# Three agents, one after the other, each sampled for SECONDS (default 45) after start, no kubelet and no API server
# (the device plugin waits for kubelet.sock; nothing is reported), so the difference is the GPU access alone:
#   simulated     --simulate h200
#   nvml-loader   the real driver found by the dynamic loader (the seed's host; NVML opens libcuda itself)
#   nvml-root     the real driver under a driver root (the node agent's pod: GPUOP_DRIVER_ROOT, libcuda preloaded
#                 for NVML's CUDA version query, then unloaded)
set -u
cd "$(dirname "$0")/.."
secs=${1:-45}
dir=$(mktemp -d)
mkdir -p "$dir/kubelet"
printf 'nodeName: bench\ndevicePlugin:\n  kubeletDir: %s\nserver:\n  port: 0\n' "$dir/kubelet" >"$dir/agent.yaml"
driver_root=${GPUOP_BENCH_DRIVER_ROOT:-/usr/local/nvidia}
measure() { # measure NAME ENV... -- ARGS...
	local name=$1 envs=() pid samples=() i
	shift
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" bin/gpuop node-agent --config "$dir/agent.yaml" "$@" >"$dir/$name.log" 2>&1 &
	pid=$!
	for ((i = 0; i < secs; i += 5)); do
		sleep 5
		samples+=("$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo dead)")
	done
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	printf '%-12s last %6s MiB   samples: %s\n' "$name" "${samples[-1]}" "${samples[*]}"
	grep -iE 'error|exception|failed' "$dir/$name.log" | head -3
}
echo "node agent RSS, $(date -u), $(nvidia-smi -L 2>/dev/null | head -1)"
measure simulated -- --simulate h200
measure nvml-loader GPUOP_DRIVER_ROOT= --
measure nvml-root GPUOP_DRIVER_ROOT="$driver_root" --
rm -rf "$dir"
