#!/usr/bin/env bash
# Packs what scripts/gpu-e2e.sh needs on the GPU machine (no network, no Java, no Go, no runc, no iptables there)
# into dist/gpu-e2e/part-NN, each small enough for one `device` call (at most 64 MiB travels per call, the working
# tree included):
#   - one multi-call binary of every Kubernetes command and etcd (testenv/multicall), with the kubelet's version
#     string v1.37.2+k3s1 so that the operator sees a K3s node; containerd, its runc shim and ctr; helm 3;
#   - NVIDIA's nvidia-container-runtime, nvidia-ctk and nvidia-cdi-hook (the seed scenario's host toolkit) and its
#     device plugin v0.17.4 (the plugins scenario);
#   - Debian's runc, CNI plugins, iptables (nf_tables) with its libraries, and busybox (for `ip`), unpacked there;
#   - testenv's pause and busybox images, and gpuop's own image (scripts/build-image.sh).
# The vectoradd image is not packed: gpu-e2e.sh compiles the CUDA sample there with the machine's nvcc.
# Needs: testenv/build.sh done (Go caches warm), a Maven build, xz. Prints the parts and their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/gpu-e2e
stage=$out/gpuop-e2e
part_mib=${GPUOP_E2E_PART_MIB:-55}
rm -rf "$out"
mkdir -p "$stage/bin" "$stage/node" "$stage/images"
log() { printf '[gpu-e2e-bundle %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# 1. the cluster's binaries
export PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
[[ -n ${HOME:-} ]] || export HOME=/root
bash testenv/build.sh >&2
k8s=$(sed -n 1p testenv/.bin/VERSIONS) etcd=$(sed -n 2p testenv/.bin/VERSIONS)
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ld+=" -X $p.gitVersion=$k8s+k3s1 -X $p.gitMajor=1 -X $p.gitMinor=$(cut -d. -f2 <<<"$k8s")"
	ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
ld+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd"
log "go build testenv/multicall ($k8s+k3s1)"
(cd testenv && go build -ldflags="$ld" -o "../$stage/bin/multicall" ./multicall)
cp testenv/.bin/containerd testenv/.bin/containerd-shim-runc-v2 testenv/.bin/ctr testenv/.bin/helm testenv/.bin/VERSIONS \
	"$stage/bin/"
# NVIDIA's container toolkit for the seed scenario (cgo: go-nvml dlopens NVML; links this machine's glibc, which is
# older than the GPU machine's)
nct=${NVIDIA_CTK_VERSION:-v1.20.2}
log "go install nvidia-container-toolkit $nct (nvidia-container-runtime, nvidia-ctk, nvidia-cdi-hook)"
mkdir -p "$stage/nvidia"
for c in nvidia-container-runtime nvidia-ctk nvidia-cdi-hook; do
	CGO_ENABLED=1 GOBIN="$PWD/$stage/nvidia" go install -ldflags "-s -w" \
		"github.com/NVIDIA/nvidia-container-toolkit/cmd/$c@$nct"
done
# NVIDIA's device plugin v0.17.4 (the plugins scenario runs it against the same kubelet as gpuop's)
bash scripts/build-nvidia-device-plugin.sh >&2
cp dist/nvidia-device-plugin/nvidia-device-plugin "$stage/nvidia/"

# 2. what the host lacks, from Debian's packages (runc links libseccomp, which the GPU machine's Ubuntu has)
debs=$(mktemp -d)
(cd "$debs" && apt-get download -q runc containernetworking-plugins iptables libxtables12 libip4tc2 libip6tc2 \
	libnftnl11 libmnl0 libnetfilter-conntrack3 libnfnetlink0 conntrack busybox-static >/dev/null 2>&1) ||
	{ apt-get update -qq && (cd "$debs" && apt-get download -q runc containernetworking-plugins iptables \
		libxtables12 libip4tc2 libip6tc2 libnftnl11 libmnl0 libnetfilter-conntrack3 libnfnetlink0 conntrack \
		busybox-static >/dev/null); }
root=$(mktemp -d)
for d in "$debs"/*.deb; do dpkg -x "$d" "$root"; done
mkdir -p "$stage/node/cni" "$stage/node/lib" "$stage/node/sbin"
cp "$root"/usr/lib/cni/{bridge,host-local,loopback,portmap} "$stage/node/cni/"
cp "$root"/usr/sbin/runc "$root"/usr/sbin/xtables-nft-multi "$root"/usr/sbin/conntrack "$root"/bin/busybox \
	"$stage/node/sbin/"
cp -a "$root"/usr/lib/x86_64-linux-gnu/{libxtables,libip4tc,libip6tc,libnftnl,libmnl,libnetfilter_conntrack,libnfnetlink}.so* \
	"$stage/node/lib/"
cp -a "$root"/usr/lib/x86_64-linux-gnu/xtables "$stage/node/lib/"
rm -rf "$debs" "$root"

# 3. images
cp testenv/.images/pause.tar testenv/.images/busybox.tar "$stage/images/"
scripts/build-image.sh >&2
cp dist/gpuop-image.tar "$stage/images/"

# 4. one xz stream, cut into parts
log "xz (this takes a minute or two)"
tar -C "$out" -cf - gpuop-e2e | xz -T0 -6 | split -b "${part_mib}M" -d - "$out/part-"
rm -rf "$stage"
(cd "$out" && sha256sum part-* >SHA256SUMS)
ls -l "$out"/part-* | awk '{printf "%s %.1f MiB\n", $NF, $5 / 1048576}'
