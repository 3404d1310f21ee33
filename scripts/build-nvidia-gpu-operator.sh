#!/usr/bin/env bash
# Builds NVIDIA's GPU operator (cmd/gpu-operator), pinned (bench/nvidia-gpu-operator/go.mod: github.com/NVIDIA/gpu-operator
# v0.0.0-20250917190837-d73a0086a6ba, main of 2025-09-17; the proxy serves no tagged versions), from its Go module into
# dist/nvidia-gpu-operator/, so it can be run next to gpuop against a test API server (bench/nvidia-gpu-operator/NOTES.md
# says how). Pure Go: CGO_ENABLED=0 and the -X version/commit flags, as NVIDIA's Makefile (`make gpu-operator`) does.
#
# Besides the binary it lays out what NVIDIA's image has (docker/Dockerfile) and the operator reads at runtime:
#   dist/nvidia-gpu-operator/opt/gpu-operator/   = the module's assets/* (per-state operand manifests) + manifests/
#                                                  (the NVIDIADriver controller's templates); the operator hardcodes
#                                                  /opt/gpu-operator/..., so bind-mount or symlink this there.
#   bench/nvidia-gpu-operator/from-module/       = NVIDIA's CRDs (ClusterPolicy nvidia.com/v1, NVIDIADriver
#                                                  nvidia.com/v1alpha1, NFD's), the chart's values.yaml and its
#                                                  clusterpolicy.yaml template, for reference (gitignored, not committed).
# Build parallelism is kept at -p=1 and nice 19 (a 2-core machine shared with other work); GOFLAGS from the
# environment is appended (so GOFLAGS=-p=2 overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/nvidia-gpu-operator
mod=github.com/NVIDIA/gpu-operator
command -v go >/dev/null 2>&1 || export PATH=/usr/local/go/bin:$PATH
version=$(cd bench/nvidia-gpu-operator && GOTOOLCHAIN=local go list -m -f '{{.Version}}' $mod)
src=$(cd bench/nvidia-gpu-operator && GOTOOLCHAIN=local go mod download -json $mod | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$src/assets" ] || { echo "build-nvidia-gpu-operator: module source not found ($src)" >&2; exit 1; }

# NVIDIA's files, copied from the module cache every run (cheap; keeps them in step with go.mod).
fm=bench/nvidia-gpu-operator/from-module
rm -rf "$fm" && mkdir -p "$fm/crds"
cp "$src"/deployments/gpu-operator/crds/nvidia.com_clusterpolicies.yaml \
   "$src"/deployments/gpu-operator/crds/nvidia.com_nvidiadrivers.yaml \
   "$src"/deployments/gpu-operator/charts/node-feature-discovery/crds/nfd-api-crds.yaml "$fm/crds/"
cp "$src"/deployments/gpu-operator/values.yaml "$fm/values.yaml"
cp "$src"/deployments/gpu-operator/templates/clusterpolicy.yaml "$fm/clusterpolicy.helm-template.yaml"
cp "$src"/deployments/gpu-operator/templates/clusterrole.yaml "$src"/deployments/gpu-operator/templates/role.yaml "$fm/"
chmod -R u+w "$fm"

if [ -x "$out/gpu-operator" ] && [ "$(cat "$out/VERSION" 2>/dev/null)" = "$version" ] && [ -d "$out/opt/gpu-operator/state-driver" ]; then
  echo "build-nvidia-gpu-operator: $out/gpu-operator is already $version"
  exit 0
fi
mkdir -p "$out"
# The image's layout: COPY assets /opt/gpu-operator/ ; COPY manifests /opt/gpu-operator/manifests ; plus the CRDs.
rm -rf "$out/opt" && mkdir -p "$out/opt/gpu-operator"
cp -R "$src"/assets/. "$out/opt/gpu-operator/"
cp -R "$src"/manifests "$out/opt/gpu-operator/manifests"
cp "$fm"/crds/*.yaml "$out/opt/gpu-operator/"
chmod -R u+w "$out/opt"
commit=${version##*-}
start=$(date +%s)
(cd bench/nvidia-gpu-operator && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-p=1 -buildvcs=false ${GOFLAGS:-}" nice -n 19 go build \
  -ldflags "-s -w -X $mod/internal/info.version=$version -X $mod/internal/info.gitCommit=$commit" -o "../../$out/" tool)
echo "$version" > "$out/VERSION"
echo "build-nvidia-gpu-operator: $out/gpu-operator $version ($(du -h "$out/gpu-operator" | cut -f1), built in $(( $(date +%s) - start ))s)"
