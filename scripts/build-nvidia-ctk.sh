#!/usr/bin/env bash
# Builds NVIDIA's nvidia-ctk, pinned, from its Go module (through the Go module proxy) into dist/nvidia-ctk/, so that
# `nvidia-ctk cdi generate` can be compared with `gpuop toolkit cdi generate` on a GPU machine (docs/adr/0004).
# cgo is needed (NVIDIA's go-nvml dlopens libnvidia-ml.so.1), so the binary links this machine's glibc dynamically:
# build it on a system no newer than the GPU machine (ldd dist/nvidia-ctk/nvidia-ctk shows what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${NVIDIA_CTK_VERSION:-v1.20.0}
out=dist/nvidia-ctk
if [ -x "$out/nvidia-ctk" ] && [ "$(cat "$out/VERSION" 2>/dev/null)" = "$version" ]; then
  echo "build-nvidia-ctk: $out/nvidia-ctk is already $version"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-nvidia-ctk: no Go toolchain on PATH; install Go 1.24+ (https://go.dev/dl/)" >&2
  exit 2
fi
mkdir -p "$out"
CGO_ENABLED=1 GOFLAGS=-buildvcs=false GOBIN="$PWD/$out" \
  go install -ldflags "-s -w" "github.com/NVIDIA/nvidia-container-toolkit/cmd/nvidia-ctk@$version"
echo "$version" > "$out/VERSION"
# what travels to the GPU machine (one call carries at most 64 MiB, most of it dist/device): a compressed copy
if command -v xz >/dev/null 2>&1; then
  xz -9 -T0 -c "$out/nvidia-ctk" > "$out/nvidia-ctk.xz"
fi
echo "build-nvidia-ctk: $out/nvidia-ctk $version (needs glibc $(objdump -T "$out/nvidia-ctk" 2>/dev/null \
  | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 || echo '?'))"
