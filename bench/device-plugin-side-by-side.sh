#!/usr/bin/env bash
# gpuop's node agent next to NVIDIA's device plugin on this machine's GPUs, against one kubelet stand-in, in one run
# (DevicePluginSideBySide): registration, Allocate p50/p99, re-registration after kubelet restarts, RSS, and the
# Allocate answers field by field. Run as root from the unpacked device bundle (run-on-gpu.sh part `plugins`):
#   bench/device-plugin-side-by-side.sh NVIDIA_PLUGIN[.xz] CLASSPATH [CALLS] [ROUNDS]
# NVIDIA's plugin listens on /var/lib/kubelet/device-plugins/nvidia-gpu.sock whatever its flags say, so the stand-in
# serves that directory: refused where a kubelet runs; the directory is removed afterwards if this script made it.
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=$1 cp=$2
if [[ $plugin == *.xz ]]; then
  bin=/tmp/nvidia-device-plugin
  { xz -dc "$plugin" 2>/dev/null || python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())" \
      "$plugin"; } > "$bin"
  chmod +x "$bin" && plugin=$bin
fi
if pgrep -x kubelet > /dev/null; then
  echo "device-plugin-side-by-side: a kubelet runs here and owns /var/lib/kubelet/device-plugins; not touching it" >&2
  exit 1
fi
made=
[ -d /var/lib/kubelet ] || made=/var/lib/kubelet
trap '[ -n "$made" ] && rm -rf "$made"' EXIT
export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "nvidia: $("$plugin" --version 2>&1 | head -1)"
java=${JAVA:-jre/bin/java}
"$java" --enable-native-access=ALL-UNNAMED ${GPUOP_BENCH_JAVA_OPTS:-} -cp "$cp" \
  dev.gpuop.node.bench.DevicePluginSideBySide "$plugin" "$PWD" "${3:-5000}" "${4:-2}"
