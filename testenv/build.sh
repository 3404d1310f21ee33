#!/usr/bin/env bash
# Builds the gpuop end-to-end test bed into testenv/.bin and testenv/.images:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
#   kubectl (one `go build`, module testenv/go.mod), containerd 2.x + shim + ctr,
#   crictl, kwok, helm, promtool (one module each under testenv/tools/), the pause and
#   busybox OCI image archives; runc and the CNI plugins come from Debian (apt).
#
# Go caches are Go's defaults ($HOME/.cache/go-build, $HOME/go/pkg/mod) unless
# GOCACHE / GOMODCACHE are set, so they persist on the machine and a second build
# only re-checks (seconds).
set -euo pipefail

# ---- pinned versions (each must match the go.mod it is built from) ----------------
K8S_VERSION=v1.37.2          # testenv/go.mod (k8s.io/* staging modules replaced to v0.37.2)
ETCD_VERSION=v3.7.0          # testenv/go.mod (the etcd release k8s v1.37.2 itself requires)
CONTAINERD_VERSION=v2.4.2    # testenv/tools/containerd/go.mod
CRICTL_VERSION=v1.37.0       # testenv/tools/crictl/go.mod
KWOK_VERSION=v0.8.0          # testenv/tools/kwok/go.mod
HELM_VERSION=v3.22.0         # testenv/tools/helm/go.mod (scripts/demo.sh installs the chart with it)
PROMTOOL_VERSION=v0.316.0    # testenv/tools/promtool/go.mod (Go module v0.3xx.y = Prometheus 3.xx.y: 3.16.0)
BUSYBOX_IMAGE=docker.io/library/busybox:1.35    # from Debian's busybox-static 1.35.0
PAUSE_IMAGE=registry.k8s.io/pause:3.10.2        # containerd 2.4's default sandbox image name
APT_PACKAGES="runc containernetworking-plugins busybox-static iptables conntrack gcc libc6-dev openssl ca-certificates"
# -------------------------------------------------------------------------------------

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$HERE/.bin
IMG=$HERE/.images
mkdir -p "$BIN" "$IMG"

log() { printf '[build %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
t0=$SECONDS

# ---- apt packages -------------------------------------------------------------------
missing=()
for p in $APT_PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	log "apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/gpuop-testenv-apt.log 2>&1; then
		apt-get update >>/tmp/gpuop-testenv-apt.log 2>&1
		apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/gpuop-testenv-apt.log 2>&1 ||
			{ cat /tmp/gpuop-testenv-apt.log >&2; exit 1; }
	fi
fi

# ---- Go -----------------------------------------------------------------------------
command -v go >/dev/null || export PATH=/usr/local/go/bin:$PATH
# Go's default caches live under $HOME; keep them there even when HOME is not set
[[ -n ${HOME:-} || -n ${GOCACHE:-} ]] || export HOME=/root
export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false"
log "$(go version); GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE)"

check_version() { # dir module want
	local got; got=$(cd "$1" && go list -m -f '{{.Version}}' "$2")
	[[ $got == "$3" ]] || { echo "build.sh pins $2 $3 but $1/go.mod has $got" >&2; exit 1; }
}
check_version "$HERE" k8s.io/kubernetes "$K8S_VERSION"
check_version "$HERE" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
check_version "$HERE/tools/containerd" github.com/containerd/containerd/v2 "$CONTAINERD_VERSION"
check_version "$HERE/tools/crictl" sigs.k8s.io/cri-tools "$CRICTL_VERSION"
check_version "$HERE/tools/kwok" sigs.k8s.io/kwok "$KWOK_VERSION"
check_version "$HERE/tools/helm" helm.sh/helm/v3 "$HELM_VERSION"
check_version "$HERE/tools/promtool" github.com/prometheus/prometheus "$PROMTOOL_VERSION"

# 1. Kubernetes + etcd: one `go build` of every `tool` line in testenv/go.mod, so the
#    packages they share (client-go, apiserver, grpc, etcd client...) compile once.
minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
	ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
ld+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}"
log "go build kubernetes $K8S_VERSION + etcd $ETCD_VERSION"
(cd "$HERE" && go build -ldflags="$ld" -o "$BIN/" tool)
# the etcd main package is the module root go.etcd.io/etcd/server/v3 -> binary "server"
# (kept under that name, so the next build finds it up to date and does not relink it)
ln -sfn server "$BIN/etcd"

# 2. containerd (CRI + CDI built in), its runc v2 shim, ctr. No cgo: btrfs is left out.
log "go build containerd $CONTAINERD_VERSION"
cpkg=github.com/containerd/containerd/v2
(cd "$HERE/tools/containerd" && go build -tags urfave_cli_no_docs \
	-ldflags="-s -w -X $cpkg/version.Version=$CONTAINERD_VERSION -X $cpkg/version.Package=$cpkg" \
	-o "$BIN/" tool)

# 3. crictl, kwok
log "go build crictl $CRICTL_VERSION"
(cd "$HERE/tools/crictl" && go build \
	-ldflags="-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" -o "$BIN/" tool)
log "go build kwok $KWOK_VERSION"
(cd "$HERE/tools/kwok" && go build -ldflags="-s -w" -o "$BIN/" tool)
log "go build helm $HELM_VERSION"
(cd "$HERE/tools/helm" && go build \
	-ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" -o "$BIN/" tool)
# promtool (`promtool check metrics` lints exposition text). `promtool --version` prints
# prometheus/common's version.Version, which Prometheus's release build (promu) sets from
# the module's VERSION file (3.16.0); `go list` (not `-m`) downloads the module when needed.
# Upstream's remove_all_sd tag leaves out the cloud service discovery plugins, which only
# `check config` of such configs needs: half the compile time and 54 MB instead of 88.
pdir=$(cd "$HERE/tools/promtool" && go list -find -f '{{.Module.Dir}}' github.com/prometheus/prometheus/cmd/promtool)
log "go build promtool $PROMTOOL_VERSION ($(<"$pdir/VERSION"))"
(cd "$HERE/tools/promtool" && go build -tags remove_all_sd \
	-ldflags="-s -w -X github.com/prometheus/common/version.Version=$(<"$pdir/VERSION")" -o "$BIN/" tool)
# kwok's configuration: options + the stages kwokctl would use ("fast" nodes and pods,
# node heartbeat through Leases), copied from the pinned kwok module.
kdir=$(cd "$HERE/tools/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
{
	cat <<'EOF'
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  nodeLeaseDurationSeconds: 120   # renewed every 30s: a third of the default load at 5,000 nodes
  nodeLeaseParallelism: 16
  nodePlayStageParallelism: 8
  podPlayStageParallelism: 8
EOF
	for f in stage/node/fast/node-initialize.yaml stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
		stage/pod/fast/pod-ready.yaml stage/pod/fast/pod-complete.yaml stage/pod/fast/pod-delete.yaml; do
		echo "---"
		grep -v '^---$' "$kdir/kustomize/$f"
	done
} >"$BIN/kwok.yaml"

# ---- images -------------------------------------------------------------------------
stale() { # stale TAR REF SOURCES...: archive missing, older than a source, or another name
	local tar=$1 ref=$2 src; shift 2
	[[ -s $tar ]] && tar xOf "$tar" index.json | grep -qF "\"$ref\"" || return 0
	for src; do [[ $src -nt $tar ]] && return 0; done
	return 1
}
if stale "$IMG/pause.tar" "$PAUSE_IMAGE" "$HERE/images/pause.c" "$HERE/images/mkimage.sh" "$HERE/build.sh"; then
	log "image $PAUSE_IMAGE"
	r=$(mktemp -d)
	gcc -static -Os -s -o "$r/pause" "$HERE/images/pause.c"
	bash "$HERE/images/mkimage.sh" "$IMG/pause.tar" "$PAUSE_IMAGE" "$r" '["/pause"]' >&2
	rm -rf "$r"
fi
if stale "$IMG/busybox.tar" "$BUSYBOX_IMAGE" /bin/busybox "$HERE/images/mkimage.sh" "$HERE/build.sh"; then
	log "image $BUSYBOX_IMAGE"
	r=$(mktemp -d)
	mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/etc" "$r/tmp" "$r/root" "$r/proc" "$r/sys" "$r/dev"
	chmod 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox"
	# one symlink per applet, as the busybox image does
	for a in $(/bin/busybox --list-full); do
		[[ -e $r/$a ]] || ln -s /bin/busybox "$r/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$r/etc/group"
	bash "$HERE/images/mkimage.sh" "$IMG/busybox.tar" "$BUSYBOX_IMAGE" "$r" null '["sh"]' >&2
	rm -rf "$r"
fi

printf '%s\n' "$K8S_VERSION" "$ETCD_VERSION" "$CONTAINERD_VERSION" "$CRICTL_VERSION" "$KWOK_VERSION" \
	"$PAUSE_IMAGE" "$BUSYBOX_IMAGE" "$HELM_VERSION" "$PROMTOOL_VERSION" >"$BIN/VERSIONS"
log "done in $((SECONDS - t0))s: $(ls "$BIN" | tr '\n' ' ')"
