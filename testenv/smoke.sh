#!/usr/bin/env bash
# End-to-end smoke test of the test bed itself (and the numbers for README.md):
# up -> node Ready -> busybox pod runs to completion -> a pod reaches the API through the
# `kubernetes` service -> N KWOK GPU nodes Ready with nvidia.com/gpu -> down -> nothing left.
#   smoke.sh [KWOK_NODES]   (default 1000; 0 skips KWOK)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$HERE/.bin
C=$HERE/cluster.sh
N=${1:-1000}
D=${GPUOP_TESTENV_DIR:-/tmp/gpuop-testenv}
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }
k() { "$C" kubectl "$@"; }
rss_mib() { # total RSS of the processes cluster.sh started
	local total=0 f pid
	for f in "$D"/pids/*.pid; do
		pid=$(<"$f")
		[[ -r /proc/$pid/status ]] && total=$((total + $(awk '/VmRSS/{print $2}' "/proc/$pid/status")))
	done
	echo $((total / 1024))
}
finish() {
	"$C" down >/dev/null 2>&1 || true
	echo "smoke: $pass passed, $fail failed"
}
trap finish EXIT

"$C" down >/dev/null 2>&1 || true
"$HERE/build.sh" || { ko "build"; exit 1; }
t0=$(date +%s.%N)
if GPUOP_TESTENV_BUILD=0 "$C" up >/dev/null; then
	up_s=$(echo "$(date +%s.%N) - $t0" | bc)
	ok "cluster up, node Ready in ${up_s}s"
else
	ko "cluster up"
	exit 1
fi
if [[ -S /var/lib/kubelet/device-plugins/kubelet.sock && -S /var/lib/kubelet/pod-resources/kubelet.sock &&
	-d /etc/cdi && -d /var/run/cdi ]]; then
	ok "kubelet device-plugin and pod-resources sockets, CDI spec dirs present"
else
	ko "kubelet sockets / CDI dirs"; ls -l /var/lib/kubelet/device-plugins /var/lib/kubelet/pod-resources
fi
sleep 5
echo "RSS after up (idle, 1 real node): $(rss_mib) MiB"

k apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: smoke-busybox}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: docker.io/library/busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "echo smoke-ok $(hostname); ip -4 addr show eth0 | grep -o 'inet [0-9.]*'"]
EOF
logs_have() { # logs_have POD TEXT: the log of a finished pod can lag its phase a moment
	local i
	for ((i = 0; i < 20; i++)); do
		k logs "$1" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.5
	done
	return 1
}
if k wait --for=jsonpath='{.status.phase}'=Succeeded pod/smoke-busybox --timeout=90s >/dev/null &&
	logs_have smoke-busybox "smoke-ok smoke-busybox"; then
	ok "busybox pod ran to completion: $(k logs smoke-busybox | tr '\n' ' ')"
else
	ko "busybox pod: phase $(k get pod smoke-busybox -o jsonpath='{.status.phase}'), log: $(k logs smoke-busybox 2>&1)"
	k describe pod smoke-busybox | tail -8
fi

# In-cluster API access: kubectl (static) from the host, run in a pod with its service
# account token, through the `kubernetes` service (kube-proxy DNAT to the apiserver).
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: smoke-incluster}
spec:
  restartPolicy: Never
  volumes: [{name: kubectl, hostPath: {path: $(readlink -f "$BIN/kubectl"), type: File}}]
  containers:
  - name: c
    image: docker.io/library/busybox:1.35
    imagePullPolicy: Never
    volumeMounts: [{name: kubectl, mountPath: /kubectl, readOnly: true}]
    command: ["/kubectl", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]
EOF
if k wait --for=jsonpath='{.status.phase}'=Succeeded pod/smoke-incluster --timeout=90s >/dev/null &&
	logs_have smoke-incluster "^system:serviceaccount:default:default$"; then
	ok "pod reached the API via the kubernetes service as $(k logs smoke-incluster)"
else
	ko "in-cluster API access"; k logs smoke-incluster | tail -5
fi
k delete pod smoke-busybox smoke-incluster --wait=false >/dev/null

if ((N > 0)); then
	t0=$(date +%s.%N)
	if "$C" kwok "$N"; then
		kwok_s=$(echo "$(date +%s.%N) - $t0" | bc)
		gpus=$(k get nodes -l nvidia.com/gpu.present=true -o jsonpath='{range .items[*]}{.status.capacity.nvidia\.com/gpu}{"\n"}{end}' | awk '{s+=$1} END {print s+0}')
		ready=$(k get nodes -l type=kwok --no-headers | grep -c ' Ready ')
		if ((ready == N && gpus == 8 * N)); then
			ok "$N KWOK GPU nodes Ready in ${kwok_s}s, $gpus nvidia.com/gpu in total"
		else
			ko "kwok: $ready Ready, $gpus GPUs"
		fi
		sleep 5
		echo "RSS with $N KWOK nodes: $(rss_mib) MiB"
	else
		ko "kwok $N"
	fi
fi

t0=$(date +%s.%N)
"$C" down >/dev/null
echo "down in $(echo "$(date +%s.%N) - $t0" | bc)s"
left=()
for p in /proc/[0-9]*; do
	exe=$(readlink "$p/exe" 2>/dev/null) || continue
	[[ $exe == "$(readlink -f "$BIN")"/* ]] && left+=("${p#/proc/} $exe")
done
for p in $(ps -eo pid=,comm= | awk '$2 == "pause" {print $1}'); do left+=("$p pause"); done
if ((${#left[@]} == 0)) && [[ ! -d /sys/fs/cgroup/pids/kubepods ]] && [[ ! -e $D && ! -e /var/lib/kubelet ]] && ! ip link show gpuop0 >/dev/null 2>&1; then
	ok "down: no process, state dir, kubelet dir or bridge left"
else
	ko "down left: ${left[*]:-} $(ls -d "$D" /var/lib/kubelet 2>/dev/null)"
fi
((fail == 0))
