#!/usr/bin/env bash
# Builds NVIDIA's gpu-feature-discovery, pinned (bench/gfd/go.mod: k8s-device-plugin v0.17.4), from its Go module
# into dist/gfd/, so `gpuop labels` can be compared with GFD's one-shot output on a GPU machine (bench/gfd-compare.sh).
# cgo is needed (go-nvml dlopens libnvidia-ml.so.1), so the binary links this machine's glibc dynamically. One pin is
# replaced: the proxy refuses node-feature-discovery v0.15.7, which GFD uses only to publish through the NodeFeature
# API (not for labels written to a file); v0.15.4 builds the same labeller.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/gfd
version=$(cd bench/gfd && go list -m -f '{{.Version}}' github.com/NVIDIA/k8s-device-plugin)
if [ -x "$out/gpu-feature-discovery" ] && [ "$(cat "$out/VERSION" 2>/dev/null)" = "$version" ]; then
  echo "build-gfd: $out/gpu-feature-discovery is already $version"
  exit 0
fi
command -v go >/dev/null 2>&1 || export PATH=/usr/local/go/bin:$PATH
mkdir -p "$out"
(cd bench/gfd && GOTOOLCHAIN=local CGO_ENABLED=1 GOFLAGS=-buildvcs=false go build -ldflags "-s -w" -o "../../$out/" tool)
echo "$version" > "$out/VERSION"
xz -9 -T0 -c "$out/gpu-feature-discovery" > "$out/gpu-feature-discovery.xz"
echo "build-gfd: $out/gpu-feature-discovery $version ($(du -h "$out/gpu-feature-discovery.xz" | cut -f1) compressed)"
