#!/usr/bin/env bash
# Builds NVIDIA's nvidia-ctk, pinned, from its Go module (through the Go module proxy) into dist/nvidia-ctk/, so that
# `nvidia-ctk cdi generate` can be compared with `gpuop toolkit cdi generate` on a GPU machine (docs/adr/0004).
# cgo is needed (NVIDIA's go-nvml dlopens libnvidia-ml.so.1), so the binary links this machine's glibc dynamically:
# build it on a system no newer than the GPU machine (ldd dist/nvidia-ctk/nvidia-ctk shows what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${NVIDIA_CTK_VERSION:-v1.20.0}
out=dist/nvidia-ctk
if [ -x "$out/nvidia-ctk" ] && "$out/nvidia-ctk" --version 2>/dev/null | grep -q "${version#v}"; then
  echo "build-nvidia-ctk: $out/nvidia-ctk is already $version"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-nvidia-ctk: no Go toolchain on PATH; install Go 1.24+ (https://go.dev/dl/)" >&2
  exit 2
fi
mkdir -p "$out"
CGO_ENABLED=1 GOFLAGS=-buildvcs=false GOBIN="$PWD/$out" \
  go install "github.com/NVIDIA/nvidia-container-toolkit/cmd/nvidia-ctk@$version"
"$out/nvidia-ctk" --version
