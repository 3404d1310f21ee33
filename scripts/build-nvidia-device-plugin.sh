#!/usr/bin/env bash
# Builds NVIDIA's k8s device plugin (cmd/nvidia-device-plugin), pinned (bench/nvidia-device-plugin/go.mod:
# k8s-device-plugin v0.17.4), from its Go module into dist/nvidia-device-plugin/, so gpuop's device plugin can be
# benchmarked side by side with NVIDIA's against a kubelet stand-in on a GPU machine (bench/nvidia-device-plugin/NOTES.md
# says how to run it). cgo is needed (go-nvml dlopens libnvidia-ml.so.1), so the binary links this machine's glibc
# dynamically. The -X sets the version the plugin logs and prints (--version), as NVIDIA's Makefile does.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/nvidia-device-plugin
command -v go >/dev/null 2>&1 || export PATH=/usr/local/go/bin:$PATH
version=$(cd bench/nvidia-device-plugin && GOTOOLCHAIN=local go list -m -f '{{.Version}}' github.com/NVIDIA/k8s-device-plugin)
if [ -x "$out/nvidia-device-plugin" ] && [ "$(cat "$out/VERSION" 2>/dev/null)" = "$version" ]; then
  echo "build-nvidia-device-plugin: $out/nvidia-device-plugin is already $version"
  exit 0
fi
mkdir -p "$out"
(cd bench/nvidia-device-plugin && GOTOOLCHAIN=local CGO_ENABLED=1 GOFLAGS=-buildvcs=false go build \
  -ldflags "-s -w -X github.com/NVIDIA/k8s-device-plugin/internal/info.version=$version" -o "../../$out/" tool)
echo "$version" > "$out/VERSION"
xz -9 -T0 -c "$out/nvidia-device-plugin" > "$out/nvidia-device-plugin.xz"
echo "build-nvidia-device-plugin: $out/nvidia-device-plugin $version ($(du -h "$out/nvidia-device-plugin.xz" | cut -f1) compressed)"
