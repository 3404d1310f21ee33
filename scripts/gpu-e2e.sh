#!/usr/bin/env bash
# The seed tutorial's last step on a real GPU: a pod with runtimeClassName nvidia and nvidia.com/gpu: 1 gets the GPU
# through gpuop's chart and prints "Test PASSED". Runs on the GPU machine (the `device` tool), from the repository
# root, as root, over testenv laid out as a K3s node (containerd's config, template and socket where K3s has them;
# the kubelet reports v1.37.2+k3s1). The parts come from scripts/gpu-e2e-bundle.sh; one `device` call carries at
# most 64 MiB and the machine keeps /var/tmp only while it stays warm (30 s after a call), so calls go back to back:
#   call 1 .. N-1 (carry dist/gpu-e2e/part-NN):  bash scripts/gpu-e2e.sh stage dist/gpu-e2e/part-NN
#   call N (carry the last part):                bash scripts/gpu-e2e.sh stage dist/gpu-e2e/part-NN &&
#                                                bash scripts/gpu-e2e.sh run gpuop seed
# Scenarios:
#   gpuop  no NVIDIA container binaries on the host; toolkit.enabled=true, cdi.enabled=true: gpuop's toolkit step
#          writes the nvidia handler into K3s's template and the CDI spec, restarts containerd; the pod gets its
#          GPU by CDI.
#   seed   NVIDIA's nvidia-container-runtime and nvidia-ctk on the host (GPUOP_E2E_NVIDIA_TOOLKIT, a dir holding
#          them), the nvidia runtime in K3s's config as K3s adds it; the seed's flags, toolkit.enabled=false.
#   mps    as gpuop, with a device plugin config (chart-created ConfigMap) sharing the GPU as 2 MPS replicas: the
#          agent's MPS control daemon, two pods on the one GPU at once, both Test PASSED, nvidia-smi and the process
#          list show nvidia-cuda-mps-server, the GPU's compute mode is left as it was.
#   plugins as seed; then gpuop's device plugin and NVIDIA's v0.17.4 (a host process) in turn against the same real
#          kubelet (NVIDIA's label nvidia.com/gpu.deploy.device-plugin=false moves gpuop's agent to its DaemonSet
#          with the device plugin off): kubelet restarts to re-registration, pods through each, the kubelet's own
#          Allocate histogram, the Allocate answer the kubelet kept (its checkpoint), resident memory.
#          GPUOP_E2E_DP_ORDER (gpuop nvidia gpuop-cold nvidia gpuop; gpuop-cold: the agent without its warm-up of
#          the kubelet's calls; gpuop-norehearsal: with the warm-up's calls but no rehearsed kubelet restarts;
#          gpuop-2000: 2,000 warm-up call pairs, the count before the default became 10,000; gpuop-nosettle: no
#          settling rounds after the warm-up's calls in a row),
#          GPUOP_E2E_DP_RESTARTS, GPUOP_E2E_DP_PODS.
# Each: cluster up, `helm install` with the seed's command, the seed's vectoradd pod (our image, built here with the
# machine's nvcc), `Test PASSED`, `nvidia-smi -L` in a second pod, the node checks (every stage, CUDA's vector add
# included, and how long after the agent's start), `gpuop doctor` with the cluster, the timeline, the node agent's
# RSS, cluster down. Before the scenarios: `gpuop doctor`'s host half on the bare host, cold and warm.
# Logs go to $OUT (or ./out). Reads the GPU's settings; changes none.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
W=${GPUOP_E2E_DIR:-/var/tmp/gpuop-e2e}
B=$W/gpuop-e2e
OUT=${OUT:-$REPO/out}
mkdir -p "$W/parts" "$OUT"
log() { printf '[gpu-e2e %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { log "FAILED: $*"; exit 1; }

stage() { # copy a part where the next call finds it
	local part=$1 sums
	sums=$(dirname "$part")/SHA256SUMS
	[[ -f $sums ]] && (cd "$(dirname "$part")" && grep " $(basename "$part")\$" SHA256SUMS | sha256sum -c --quiet) ||
		die "$part does not match its SHA256SUMS"
	cp "$part" "$W/parts/"
	[[ -f $sums ]] && cp "$sums" "$W/parts/"
	log "staged $(basename "$part"); $W/parts holds: $(cd "$W/parts" && ls part-* | tr '\n' ' ')"
}

unpack() {
	[[ -f $B/.unpacked ]] && return 0
	(cd "$W/parts" && sha256sum -c --quiet SHA256SUMS) || die "a part is missing or damaged in $W/parts"
	cat "$W"/parts/part-* | xz -d | tar -x -C "$W" || die "unpacking the parts"
	local n
	# one binary, one hard link per command (a hard link keeps its name in /proc/PID/exe, which cluster.sh checks)
	for n in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
		ln -f "$B/bin/multicall" "$B/bin/$n"
	done
	mkdir -p "$B/node/path"
	local lib=$B/node/lib sbin=$B/node/sbin
	for n in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
		printf '#!/bin/sh\nLD_LIBRARY_PATH=%s XTABLES_LIBDIR=%s/xtables exec %s/xtables-nft-multi %s "$@"\n' \
			"$lib" "$lib" "$sbin" "$n" >"$B/node/path/$n"
	done
	printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s/conntrack "$@"\n' "$lib" "$sbin" >"$B/node/path/conntrack"
	ln -sf "$sbin/runc" "$B/node/path/runc"
	for n in ip sysctl; do command -v $n >/dev/null || ln -sf "$sbin/busybox" "$B/node/path/$n"; done
	chmod 755 "$B"/node/path/*
	touch "$B/.unpacked"
}

# The CUDA sample's vector add (bench/vector_add.cu prints what the seed's log shows), compiled here, with the glibc
# that it and the driver's nvidia-smi link against, in a one-layer image as NVIDIA's CUDA images set it up.
vectoradd_image() {
	local root=$W/vectoradd-root f lib
	[[ -f $W/vectoradd.tar ]] && return 0
	rm -rf "$root" && mkdir -p "$root/usr/local/bin" "$root/tmp" "$root/etc"
	nvcc -O2 -arch=native -o "$root/usr/local/bin/vectorAdd" bench/vector_add.cu || die "nvcc"
	for f in "$root/usr/local/bin/vectorAdd" "$(command -v nvidia-smi || echo /usr/local/nvidia/bin/nvidia-smi)"; do
		for lib in $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}'); do
			[[ $lib == */nvidia/* || $lib == *libnvidia* || $lib == *libcuda* ]] && continue # CDI mounts those
			mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
		done
	done
	echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
	MKIMAGE_ENV='["PATH=/usr/local/nvidia/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64","NVIDIA_VISIBLE_DEVICES=all","NVIDIA_DRIVER_CAPABILITIES=compute,utility"]' \
		bash testenv/images/mkimage.sh "$W/vectoradd.tar" docker.io/gpuop/cuda-vectoradd:dev "$root" null \
		'["/usr/local/bin/vectorAdd"]' >/dev/null || die "mkimage"
}

# NVIDIA's toolkit on the host as its package installs it (the seed's step 2): nvidia-container-runtime, nvidia-ctk
# and nvidia-cdi-hook in /usr/bin, built from the Go module. Its legacy mode needs libnvidia-container (C, no Go
# module), so the runtime runs in its cdi mode on the spec nvidia-ctk generates, as the package's nvidia-cdi-refresh
# unit does since v1.18.
nvidia_toolkit_on() {
	local f
	for f in nvidia-container-runtime nvidia-ctk nvidia-cdi-hook; do install -m 755 "$B/nvidia/$f" /usr/bin/$f; done
	mkdir -p /etc/nvidia-container-runtime /var/run/cdi
	cat >/etc/nvidia-container-runtime/config.toml <<EOF
[nvidia-container-runtime]
mode = "cdi"
runtimes = ["$B/node/sbin/runc"]
[nvidia-container-runtime.modes.cdi]
default-kind = "nvidia.com/gpu"
spec-dirs = ["/etc/cdi", "/var/run/cdi"]
EOF
	nvidia-ctk cdi generate --device-name-strategy=index --device-name-strategy=uuid \
		--output=/var/run/cdi/nvidia.yaml 2>&1 | tail -3
}
nvidia_toolkit_off() {
	rm -f /usr/bin/nvidia-container-runtime /usr/bin/nvidia-ctk /usr/bin/nvidia-cdi-hook /var/run/cdi/nvidia.yaml
	rm -rf /etc/nvidia-container-runtime
}

export GPUOP_TESTENV_BIN=$B/bin GPUOP_TESTENV_IMAGES=$B/images GPUOP_TESTENV_PATH=$B/node/path \
	GPUOP_TESTENV_CNI_DIR=$B/node/cni GPUOP_TESTENV_LAYOUT=k3s GPUOP_TESTENV_BUILD=0
export PATH=$B/node/path:$B/bin:$PATH:/usr/local/nvidia/bin:/usr/local/cuda/bin
kc() { kubectl "$@"; }

T0=0
declare -a TIMELINE=()
mark() { TIMELINE+=("$(awk -v t="$(date +%s.%N)" -v t0="$T0" -v m="$1" 'BEGIN {printf "%7.1f s  %s", t - t0, m}')"); log "$1"; }
# wait_until SECONDS WHAT COMMAND...: polls twice a second, says what it waits for every 10 s
wait_until() {
	local secs=$1 what=$2 start=$SECONDS next=$((SECONDS + 10)); shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS - start < secs)) || { log "timed out after ${secs}s waiting for $what"; return 1; }
		((SECONDS >= next)) && { log "waiting for $what ($((SECONDS - start)) s)"; next=$((SECONDS + 10)); }
		sleep 0.5
	done
}
agent_ready() { [[ $(kc -n gpu-operator get ds gpuop-node-agent-k3s -o jsonpath='{.status.numberReady}') == 1 ]]; }
gpu_allocatable() { (($(kc get node gpuop-node -o jsonpath='{.status.allocatable.nvidia\.com/gpu}' || echo 0) >= 1)); }
checks_passed() { [[ $(kc get node gpuop-node -o jsonpath='{.metadata.annotations.gpuop\.dev/validation}') == passed ]]; }
pod_done() { [[ $(kc get pod "$1" -o jsonpath='{.status.phase}') =~ ^(Succeeded|Failed)$ ]]; }

gpu_pod() { # the seed's pod, unchanged but for the image (and, for nvidia-smi, its command; for mps, its hold)
	local name=$1 command=${2:-} hold=${3:-} env=""
	[[ -n $hold ]] && env="      env: [{name: VECTORADD_HOLD_SECONDS, value: '$hold'}]"
	cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $name
spec:
  restartPolicy: Never
  runtimeClassName: nvidia
  containers:
    - name: cuda-container
      image: gpuop/cuda-vectoradd:dev
${command:+      command: $command}
$env
      resources:
        limits:
          nvidia.com/gpu: 1
  tolerations:
  - key: nvidia.com/gpu
    operator: Exists
    effect: NoSchedule
EOF
}

diagnostics() {
	local s=$1 d=$W/diag-$s
	rm -rf "$d" && mkdir -p "$d"
	kc get all,clusterpolicy,runtimeclass -A -o wide >"$d/objects.txt" 2>&1
	kc get node gpuop-node -o yaml >"$d/node.yaml" 2>&1
	kc get clusterpolicy -o yaml >"$d/clusterpolicy.yaml" 2>&1
	kc describe pods -A >"$d/pods-describe.txt" 2>&1
	for p in $(kc -n gpu-operator get pods -o name 2>/dev/null); do
		kc -n gpu-operator logs "$p" --all-containers --prefix >"$d/$(basename "$p").log" 2>&1
	done
	cp -r /tmp/gpuop-testenv/logs "$d/testenv-logs" 2>/dev/null
	cp /var/lib/rancher/k3s/agent/etc/containerd/config* "$d/" 2>/dev/null
	ls -la /var/run/cdi /etc/cdi >"$d/cdi-dirs.txt" 2>&1; cp /var/run/cdi/*.json "$d/" 2>/dev/null
	cp /var/lib/gpuop/toolkit/toolkit-state.json "$d/" 2>/dev/null
	cp /var/run/cdi/nvidia.yaml /var/log/nvidia-container-*.log "$d/" 2>/dev/null
	tar -C "$W" -czf "$OUT/diag-$s.tar.gz" "diag-$s"
}

# gpuop's CLI on the host, from gpuop's own image: its Java runtime and jars, unpacked once from the OCI layers
host_gpuop() {
	local r=$W/gpuop-root blob
	if [[ ! -x $r/opt/gpuop/jre/bin/java ]]; then
		rm -rf "$W/gpuop-oci" "$r" && mkdir -p "$W/gpuop-oci" "$r"
		tar -C "$W/gpuop-oci" -xf "$B/images/gpuop-image.tar"
		for blob in "$W"/gpuop-oci/blobs/sha256/*; do
			tar -tf "$blob" 2>/dev/null | grep "opt/gpuop/jre/bin/java$" >/dev/null && tar -C "$r" -xf "$blob"
		done
	fi
	"$r/opt/gpuop/jre/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
		--enable-native-access=ALL-UNNAMED -cp "$r/opt/gpuop/lib/*" dev.gpuop.cli.GpuopCommand "$@"
}

doctor_timing() { # the host half of gpuop doctor on the bare host: the first run cold, then 4 warm
	local i t0 t1 rc
	log "gpuop doctor (host half), 5 runs"
	for ((i = 0; i < 5; i++)); do
		t0=$(date +%s%N)
		host_gpuop doctor >"$OUT/doctor-host-$i.txt" 2>&1
		rc=$?
		t1=$(date +%s%N)
		echo "doctor run $i: $(((t1 - t0) / 1000000)) ms, exit $rc"
	done
	cat "$OUT/doctor-host-0.txt"
}

node_agent_rss() { # VmRSS of the node agent's JVM, sampled 6 times 5 s apart
	local pid i
	pid=$(agent_pid)
	[[ -n $pid ]] || { echo "node agent process not found"; return; }
	for ((i = 0; i < 6; i++)); do
		awk '/VmRSS/ {printf "%.1f MiB ", $2 / 1024}' "/proc/$pid/status"
		sleep 5
	done
	echo "(pid $pid)"
}

# MPS sharing from a device plugin config the chart creates (NVIDIA's format): two replicas of the GPU
MPS_CONFIG='version: v1
sharing:
  mps:
    resources:
    - name: nvidia.com/gpu
      replicas: 2'
mps_values() {
	printf '%s\n' "$MPS_CONFIG" >"$W/mps-config.yaml"
	{
		printf 'devicePlugin:\n  config:\n    create: true\n    name: gpuop-mps\n    default: mps\n    data:\n      mps: |\n'
		sed 's/^/        /' "$W/mps-config.yaml"
	} >"$W/mps-values.yaml"
}
mps_allocatable() { [[ $(kc get node gpuop-node -o jsonpath='{.status.allocatable.nvidia\.com/gpu}') == 2 ]]; }
both_running() { [[ $(kc get pod gpu-mps-a gpu-mps-b -o jsonpath='{.items[*].status.phase}') == "Running Running" ]]; }

# Two pods on the one GPU under MPS: both print Test PASSED while clients of one MPS server at the same time (each
# holds its context 20 s), which nvidia-smi and the host's process list show, and the daemon's logs name both.
mps_pods() {
	local rc=0 p log=/run/nvidia/mps/nvidia.com/gpu/log
	wait_until 60 "nvidia.com/gpu allocatable: 2 (two MPS replicas)" mps_allocatable || return 1
	mark "nvidia.com/gpu allocatable: 2 replicas"
	for p in gpu-mps-a gpu-mps-b; do gpu_pod $p "" 20 | kc apply -f - >/dev/null; done
	wait_until 120 "both MPS pods running" both_running && mark "both MPS pods running" || rc=1
	sleep 4
	echo "--- nvidia-smi while both pods hold their contexts"
	nvidia-smi | tee "$OUT/mps-nvidia-smi.txt"
	echo "--- MPS processes on the host"
	ps -eo pid,args | grep -E '[n]vidia-cuda-mps-(control|server)' | tee "$OUT/mps-ps.txt"
	grep -q nvidia-cuda-mps-server "$OUT/mps-ps.txt" || { log "no nvidia-cuda-mps-server process"; rc=1; }
	grep -q nvidia-cuda-mps-server "$OUT/mps-nvidia-smi.txt" || log "nvidia-smi does not list the MPS server"
	for p in gpu-mps-a gpu-mps-b; do
		wait_until 120 "$p to finish" pod_done $p
		kc logs pod/$p | tee "$W/$p.log"
		grep -q "Test PASSED" "$W/$p.log" && mark "$p: Test PASSED" || { log "$p: no Test PASSED"; rc=1; }
	done
	echo "--- the MPS daemon's logs ($log)"
	ls -la "$log" /run/nvidia/mps /run/nvidia/mps/nvidia.com/gpu 2>&1
	tail -n 40 "$log/control.log" "$log/server.log" 2>&1 | tee "$OUT/mps-logs.txt"
	[[ $(grep -c "New client" "$log/control.log" 2>/dev/null) -ge 2 ]] || log "control.log names fewer than 2 clients"
	echo "--- the agent's MPS lines"
	kc -n gpu-operator logs ds/gpuop-node-agent-k3s -c node-agent | grep -i mps | tail -8
	echo "--- compute mode (left as it was): $(nvidia-smi --query-gpu=compute_mode --format=csv,noheader)"
	return $rc
}

# --- scenario plugins: gpuop's device plugin and NVIDIA's v0.17.4 in turn against the one real kubelet
DP_DIR=/var/lib/kubelet/device-plugins
KLOG=/tmp/gpuop-testenv/logs/kubelet.log
DP_OFF_LABEL=nvidia.com/gpu.deploy.device-plugin
NVIDIA_DP_PID=
DPO=$W/dp # its files, packed into $OUT/plugins.tar.gz (few files come back from one device call)
# a klog header (I1206 23:21:03.123456) as epoch seconds, in the local time klog writes (klog has no year)
klog_epoch() { date -d "$(date +%Y)-${1:1:2}-${1:3:2} $2" +%s.%N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
pid_rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
agent_pids() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q 'GpuopCommand node-agent --config' && echo "${p#/proc/}"
	done | sort -n
}
agent_pid() { agent_pids | tail -1; }
# the node agent's Java options in a gpuop phase: gpuop-cold without its warm-up, gpuop-norehearsal without the
# warm-up's rehearsed kubelet restarts, gpuop-2000 with 2,000 warm-up call pairs, gpuop-nosettle without the rounds
# that wait for the compiler to settle (ADR 0018)
phase_opts() {
	case $1 in
	gpuop-cold) echo -Dgpuop.devicePlugin.warmupCalls=0 ;;
	gpuop-nosettle) echo -Dgpuop.devicePlugin.warmupRounds=0 ;;
	gpuop-2000) echo -Dgpuop.devicePlugin.warmupCalls=2000 ;;
	gpuop-norehearsal) echo -Dgpuop.devicePlugin.warmupRestarts=0 ;;
	esac
}
# the one node agent left serves the device plugin, with the phase's options
agent_is() {
	local pids opts
	pids=$(agent_pids) opts=$(phase_opts "$1")
	[[ $(wc -w <<<"$pids") == 1 ]] && gpuop_socket || return 1
	if [[ -n $opts ]]; then grep -qa -- "$opts" "/proc/$pids/environ"
	else ! grep -qa 'gpuop.devicePlugin.warmup' "/proc/$pids/environ"; fi
}
warmed_up() { [[ $(kc -n gpu-operator logs ds/gpuop-node-agent-k3s -c node-agent) == *'warmed up'* ]]; }
no_gpuop_socket() { ! compgen -G "$DP_DIR/gpuop-*.sock" >/dev/null; }
gpuop_socket() { compgen -G "$DP_DIR/gpuop-*.sock" >/dev/null; }
registered_since() { tail -n +"$(($1 + 1))" "$KLOG" | grep -q 'Got registration request.*resourceName="nvidia.com/gpu"'; }
state_pushed_since() { tail -n +"$(($1 + 1))" "$KLOG" | grep -q 'State pushed for device plugin.*resource="nvidia.com/gpu"'; }
admission_error() { [[ $(kc get pod "$1" -o jsonpath='{.status.reason}') == UnexpectedAdmissionError ]]; }
pod_running() { [[ $(kc get pod "$1" -o jsonpath='{.status.phase}') == Running ]]; }

# NAME ROUNDS: restart the kubelet ROUNDS times; each time, from the kubelet's registration server starting (its
# log line, right before kubelet.sock is made) to its log line "Got registration request ... nvidia.com/gpu", and to "State pushed for device plugin" (the kubelet
# has the GPU list again: the plugin dialled, ListAndWatch answered; logged at --v=2), both in the kubelet's clock
dp_restarts() {
	local name=$1 n=$2 i before line t_sock t_reg t_state
	for ((i = 1; i <= n; i++)); do
		before=$(wc -l <"$KLOG")
		bash testenv/cluster.sh restart-kubelet >/dev/null 2>&1 || { log "kubelet restart $i failed"; return 1; }
		wait_until 60 "$name to register nvidia.com/gpu again" registered_since "$before" || return 1
		wait_until 30 "the kubelet to get $name's device list" state_pushed_since "$before" || return 1
		line=$(tail -n +"$((before + 1))" "$KLOG" | grep -m1 'Got registration request.*resourceName="nvidia.com/gpu"')
		t_reg=$(klog_epoch $line)
		line=$(tail -n +"$((before + 1))" "$KLOG" | grep -m1 'State pushed for device plugin.*resource="nvidia.com/gpu"')
		t_state=$(klog_epoch $line)
		# t0: the kubelet's line just before it wipes the directory and listens on kubelet.sock (the socket's ctime
		# has the kernel's coarse clock, a tick of up to 4 ms)
		line=$(tail -n +"$((before + 1))" "$KLOG" | grep -m1 'Starting device plugin registration server')
		t_sock=$(klog_epoch $line)
		echo "$name restart $i: registered $(ms_between "$t_sock" "$t_reg") ms after the kubelet's registration server started," \
			"GPU list at the kubelet after $(ms_between "$t_sock" "$t_state") ms"
		echo "$name $(ms_between "$t_sock" "$t_reg") $(ms_between "$t_sock" "$t_state")" >>"$DPO/dp-registration.txt"
	done
}

# the kubelet's own Allocate histogram for nvidia.com/gpu (kubelet_device_plugin_alloc_duration_seconds): "SUM COUNT"
alloc_histogram() {
	kc get --raw /api/v1/nodes/gpuop-node/proxy/metrics |
		awk '/^kubelet_device_plugin_alloc_duration_seconds_(sum|count)\{resource_name="nvidia.com\/gpu"\}/ {v[$1 ~ /_sum/ ? "s" : "c"] = $2}
			END {printf "%.9f %d\n", v["s"], v["c"]}'
}

# NAME COUNT: pods of one GPU in turn (nvidia-smi -L, which must list the host's GPU); after each, the kubelet's
# Allocate histogram again: its sum grows by exactly that pod's Allocate call as the kubelet timed it (the gRPC call
# from the kubelet's side), so each call is known, not only the histogram's 5 ms buckets
dp_pods() {
	local name=$1 n=$2 i t0 t1 uuid p before after
	uuid=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -1)
	wait_until 60 "nvidia.com/gpu allocatable" gpu_allocatable || return 1
	before=$(alloc_histogram)
	for ((i = 1; i <= n; i++)); do
		p=dp-$name-$i
		t0=$(date +%s.%N)
		gpu_pod "$p" '["nvidia-smi", "-L"]' | kc apply -f - >/dev/null
		wait_until 90 "pod $p" pod_done "$p" || return 1
		t1=$(date +%s.%N)
		if admission_error "$p"; then # counted, and the pod tried once more
			log "$p: $(kc get pod "$p" -o jsonpath='{.status.message}')"
			echo "$name $p" >>"$DPO/dp-admission-errors.txt"
			kc delete pod "$p" >/dev/null
			sleep 2
			t0=$(date +%s.%N)
			gpu_pod "$p" '["nvidia-smi", "-L"]' | kc apply -f - >/dev/null
			wait_until 90 "pod $p" pod_done "$p" || return 1
			t1=$(date +%s.%N)
		fi
		kc logs "pod/$p" | grep -q "$uuid" || { log "$p: its nvidia-smi -L lacks $uuid"; kc logs "pod/$p"; return 1; }
		after=$(alloc_histogram)
		# "name allocate-ms pod-ms", the first of each phase the first call after a kubelet restart
		awk -v b="$before" -v a="$after" -v n="$name" -v pod="$(ms_between "$t0" "$t1")" 'BEGIN {
			split(b, x, " "); split(a, y, " ")
			if (y[2] != x[2] + 1) { print n, "calls:" y[2] - x[2], pod; exit }
			printf "%s %.3f %s\n", n, (y[1] - x[1]) * 1000, pod }' >>"$DPO/dp-allocate.txt"
		before=$after
		kc delete pod "$p" --wait=false >/dev/null
	done
	tail -n "$n" "$DPO/dp-allocate.txt" | awk '{printf "%s ", $2} END {print "ms: the kubelet'"'"'s Allocate calls"}'
}

# NAME: the Allocate answer the kubelet keeps in its checkpoint for a running GPU pod, decoded
dp_answer() {
	local name=$1 p=dp-$1-hold uid
	gpu_pod "$p" "" 10 | kc apply -f - >/dev/null
	wait_until 90 "pod $p running" pod_running "$p" || return 1
	uid=$(kc get pod "$p" -o jsonpath='{.metadata.uid}')
	cp "$DP_DIR/kubelet_internal_checkpoint" "$DPO/checkpoint-$name.json"
	# the last round's line wins (the same plugin answers each round)
	python3 bench/kubelet_checkpoint.py "$DPO/checkpoint-$name.json" | grep "\"$uid\"" | sed 's/, "pod": "[^"]*"//' |
		tee "$DPO/dp-answer-$name.json"
	[[ -s $DPO/dp-answer-$name.json ]] || { log "no checkpoint entry for $p"; return 1; }
	wait_until 60 "pod $p to finish" pod_done "$p"
	kc delete pod "$p" --wait=false >/dev/null
}

nvidia_plugin_start() {
	local before
	before=$(wc -l <"$KLOG")
	LD_LIBRARY_PATH=/usr/local/nvidia/lib64 setsid "$B/nvidia/nvidia-device-plugin" --fail-on-init-error=true \
		</dev/null >"$W/nvidia-device-plugin.log" 2>&1 &
	NVIDIA_DP_PID=$!
	wait_until 60 "NVIDIA's plugin to register" registered_since "$before" || { tail -20 "$W/nvidia-device-plugin.log"; return 1; }
	log "NVIDIA's device plugin $("$B/nvidia/nvidia-device-plugin" --version 2>&1 | head -1) registered (pid $NVIDIA_DP_PID)"
}
nvidia_plugin_stop() {
	[[ -n $NVIDIA_DP_PID ]] || return 0
	kill "$NVIDIA_DP_PID" 2>/dev/null
	wait "$NVIDIA_DP_PID" 2>/dev/null
	NVIDIA_DP_PID=
	cp "$W/nvidia-device-plugin.log" "$DPO/" 2>/dev/null
}

# the device plugin on this node: gpuop's node agent's (NVIDIA's per-node label unset) or NVIDIA's (the label false:
# the operator moves the node to an agent DaemonSet with the device plugin part off; NVIDIA's binary on the host)
dp_switch() {
	local env='[]'
	case $1 in
	gpuop | gpuop-cold | gpuop-norehearsal | gpuop-2000 | gpuop-nosettle)
		nvidia_plugin_stop
		# the phase's options (the image's launcher takes no GPUOP_JAVA_OPTS; the JVM reads JAVA_TOOL_OPTIONS itself)
		[[ -n $(phase_opts "$1") ]] && env='[{"name": "JAVA_TOOL_OPTIONS", "value": "'"$(phase_opts "$1")"'"}]'
		kc patch clusterpolicy cluster-policy --type merge -p "{\"spec\": {\"nodeAgent\": {\"env\": $env}}}" >/dev/null
		kc label node gpuop-node "$DP_OFF_LABEL-" >/dev/null
		wait_until 180 "gpuop's node agent ($1) alone, serving the device plugin" agent_is "$1" || return 1
		# its warm-up done (10,000 call pairs, 100 rehearsed restarts, the settling rounds: 5-15 s); none in gpuop-cold
		if [[ $1 == gpuop-cold ]]; then sleep 5
		else wait_until 60 "the node agent's warm-up" warmed_up || return 1; fi
		;;
	nvidia)
		kc label node gpuop-node "$DP_OFF_LABEL=false" --overwrite >/dev/null
		wait_until 180 "gpuop's device plugin to stop" no_gpuop_socket || return 1
		sleep 2
		nvidia_plugin_start || return 1
		;;
	esac
}

# gpuop's and NVIDIA's device plugins in turn against the same real kubelet, the seed's host (NVIDIA's runtime in
# cdi mode, so both answer NVIDIA_VISIBLE_DEVICES): registration after kubelet restarts, pods started through each,
# the kubelet's Allocate histogram, the answer the kubelet kept, resident memory
plugins_side_by_side() {
	local phase rounds=${GPUOP_E2E_DP_RESTARTS:-8} pods=${GPUOP_E2E_DP_PODS:-15} pid rss
	rm -rf "$DPO" && mkdir -p "$DPO"
	# finished GPU pods the kubelet would count as holding the GPU in its first admissions after a restart
	kc delete pod gpu-pod nvidia-smi --ignore-not-found >/dev/null
	for phase in ${GPUOP_E2E_DP_ORDER:-gpuop nvidia gpuop-cold nvidia gpuop}; do
		log "--- device plugin: $phase"
		dp_switch "$phase" || return 1
		mark "$phase's device plugin serves nvidia.com/gpu"
		dp_restarts "$phase" "$rounds" || return 1
		dp_pods "$phase" "$pods" || return 1
		dp_answer "$phase" || return 1
		if [[ $phase == nvidia ]]; then pid=$NVIDIA_DP_PID; else pid=$(agent_pid); fi
		[[ $phase != nvidia && $phase != gpuop-cold ]] && kc -n gpu-operator logs ds/gpuop-node-agent-k3s -c node-agent | grep 'warmed up' | tail -1
		rss=$(pid_rss "$pid")
		echo "$phase $rss" >>"$DPO/dp-rss.txt"
		mark "$phase: $rounds kubelet restarts, $pods pods, RSS $rss MiB (pid $pid)"
	done
	nvidia_plugin_stop
	echo "--- after a kubelet restart, ms from the kubelet's registration server starting to its registration line / GPU list"
	awk '{a[$1] = a[$1] " " $2 "/" $3} END {for (k in a) print k ":" a[k]}' "$DPO/dp-registration.txt"
	echo "--- pods the kubelet refused (UnexpectedAdmissionError) and that were tried again"
	cat "$DPO/dp-admission-errors.txt" 2>/dev/null || echo none
	echo "--- Allocate as the kubelet timed it (ms), and pod created to finished (ms)"
	awk '{a[$1] = a[$1] " " $2; p[$1] = p[$1] " " $3} END {for (k in a) print k " allocate:" a[k] "\n" k " pods:" p[k]}' \
		"$DPO/dp-allocate.txt"
	echo "--- the answers the kubelet kept, gpuop's against NVIDIA's"
	if cmp -s "$DPO/dp-answer-gpuop.json" "$DPO/dp-answer-nvidia.json"; then
		echo "the same: $(cat "$DPO/dp-answer-gpuop.json")"
	else
		echo "they differ:"; cat "$DPO/dp-answer-gpuop.json" "$DPO/dp-answer-nvidia.json"
	fi
}

scenario() {
	local s=$1 flags rc=0
	log "=== scenario $s"
	case $s in
	gpuop) flags=(--set toolkit.enabled=true --set cdi.enabled=true) ;;
	seed) flags=(--set driver.enabled=false --set toolkit.enabled=false) ;;
	mps) mps_values; flags=(--set toolkit.enabled=true --set cdi.enabled=true -f "$W/mps-values.yaml") ;;
	plugins) flags=(--set driver.enabled=false --set toolkit.enabled=false); export GPUOP_TESTENV_KUBELET_V=2 ;;
	*) die "unknown scenario $s" ;;
	esac
	rm -rf /var/lib/gpuop /var/run/cdi/nvidia.com-gpu.json
	nvidia_toolkit_off
	[[ $s == seed || $s == plugins ]] && nvidia_toolkit_on
	KUBECONFIG=$(bash testenv/cluster.sh up) || { diagnostics "$s"; die "cluster up"; }
	export KUBECONFIG
	bash testenv/cluster.sh import "$B/images/gpuop-image.tar" docker.io/gpuop/gpuop:0.1.0 >/dev/null
	bash testenv/cluster.sh import "$W/vectoradd.tar" >/dev/null
	kc get node -o wide
	TIMELINE=()
	T0=$(date +%s.%N)
	mark "helm install (the seed's command${flags:+, }${flags[*]})"
	helm install --wait --timeout 3m gpuop deploy/helm/gpuop -n gpu-operator --create-namespace \
		--set operator.defaultRuntime=containerd "${flags[@]}" || rc=1
	((rc)) || mark "operator ready (helm --wait returned)"
	((rc)) || { wait_until 120 "the node agent DaemonSet to be ready" agent_ready && mark "node agent ready"; } || rc=1
	((rc)) || { wait_until 90 "nvidia.com/gpu allocatable" gpu_allocatable && mark "nvidia.com/gpu allocatable: $(
		kc get node gpuop-node -o jsonpath='{.status.allocatable.nvidia\.com/gpu}')"; } || rc=1
	if ((rc == 0)); then
		gpu_pod gpu-pod | kc apply -f - >/dev/null
		wait_until 180 "gpu-pod to finish" pod_done gpu-pod
		mark "gpu-pod $(kc get pod gpu-pod -o jsonpath='{.status.phase}')"
		kc logs pod/gpu-pod | tee "$W/vectoradd-$s.log"
		grep -q "Test PASSED" "$W/vectoradd-$s.log" && mark "Test PASSED in the pod's log" || rc=1
		gpu_pod nvidia-smi '["nvidia-smi", "-L"]' | kc apply -f - >/dev/null
		wait_until 90 "the nvidia-smi pod to finish" pod_done nvidia-smi
		echo "nvidia-smi -L in a pod:"; kc logs pod/nvidia-smi | tee "$W/smi-$s.log"
		echo "nvidia-smi -L on the host:"; nvidia-smi -L
		grep -q "$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -1)" "$W/smi-$s.log" ||
			{ log "the pod's nvidia-smi -L does not list the host's GPU UUID"; rc=1; }
		wait_until 90 "the node checks to pass" checks_passed && mark "node checks passed (driver, toolkit, cuda, plugin)" ||
			{ log "node checks: $(kc get node gpuop-node -o jsonpath='{.metadata.annotations.gpuop\.dev/validation}')"; rc=1; }
		echo "--- node checks in the agent's log"
		kc -n gpu-operator logs ds/gpuop-node-agent-k3s -c node-agent | grep -E 'validation|CUDA check|workload check' | tail -8
		ls -la /run/nvidia/validations; cat /run/nvidia/validations/driver-ready
		echo "--- gpuop doctor with the cluster"
		host_gpuop doctor --kubeconfig "$KUBECONFIG" | tee "$OUT/doctor-$s.txt" || { log "gpuop doctor failed"; rc=1; }
		[[ $s == mps ]] && { mps_pods || rc=1; }
	fi
	echo "--- timeline ($s)"; printf '%s\n' "${TIMELINE[@]}"
	echo "--- node labels"; kc get node gpuop-node -o json | grep -oE '"(nvidia.com|gpuop.dev)/[^"]+": "[^"]*"' | sort
	# what the agent's pod wrote (its /host mount of the host's /sys, its NVML) against gpuop labels on the bare host,
	# with the chart's MIG strategy (mig.strategy: single, as NVIDIA's)
	echo "--- GFD's labels: the node (written by the node agent's pod) next to gpuop labels on the host"
	local k v got bad=0 MPS_LABELS=""
	[[ $s == mps ]] && MPS_LABELS=1
	while IFS='=' read -r k v; do
		got=$(kc get node gpuop-node -o go-template="{{index .metadata.labels \"$k\"}}")
		[[ $got == "$v" ]] || { echo "label $k: the node has '$got', gpuop labels on the host says '$v'"; bad=1; }
	done < <(host_gpuop labels --no-timestamp --mig-strategy single ${MPS_LABELS:+--config-file "$W/mps-config.yaml"} |
		tee "$OUT/labels-host-$s.txt")
	((bad)) && rc=1 || echo "all $(wc -l <"$OUT/labels-host-$s.txt") labels equal"
	echo "--- GPU metrics as Prometheus finds them: Service nvidia-dcgm-exporter, port gpu-metrics"
	local uuid; uuid=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -1)
	kc get --raw /api/v1/namespaces/gpu-operator/services/nvidia-dcgm-exporter:gpu-metrics/proxy/metrics \
		>"$OUT/metrics-$s.txt" || rc=1
	grep -E "^DCGM_FI_DEV_(GPU_TEMP|MEMORY_TEMP|POWER_USAGE|TOTAL_ENERGY_CONSUMPTION|XID_ERRORS)\{.*UUID=\"$uuid\"" \
		"$OUT/metrics-$s.txt" || { log "no GPU metrics for $uuid through the Service"; rc=1; }
	echo "--- XID events: the agent must watch them (no 'unavailable', 'stopped' or 'not freed' in its log)"
	if kc -n gpu-operator logs ds/gpuop-node-agent-k3s -c node-agent |
		grep -E 'events unavailable|events stopped|event set not freed|no events from some GPUs'; then
		log "XID events are not watched"; rc=1
	fi
	if [[ $s == plugins ]]; then
		plugins_side_by_side || { log "device plugins side by side: failed"; rc=1; }
		tar -C "$W" -czf "$OUT/plugins.tar.gz" dp
	fi
	echo "--- ClusterPolicy"; kc get clusterpolicy -o wide
	echo "--- node agent RSS"; node_agent_rss
	diagnostics "$s"
	if [[ $s == gpuop ]]; then
		echo "--- K3s template and the rendered config (nvidia handler)"
		grep -n -A4 'nvidia' /var/lib/rancher/k3s/agent/etc/containerd/config-v3.toml.tmpl 2>&1 | head -30
		log "toolkit off: the node's containerd files must come back as they were"
		kc patch clusterpolicy cluster-policy --type merge -p '{"spec":{"toolkit":{"enabled":false}}}' >/dev/null
		local etc=/var/lib/rancher/k3s/agent/etc/containerd
		wait_until 180 "the template to be removed" test ! -e $etc/config-v3.toml.tmpl &&
			wait_until 60 "containerd's config to be rendered from K3s's base again" cmp -s $etc/config.toml \
				/tmp/gpuop-testenv/containerd-base.toml &&
			log "template removed, config.toml is K3s's base byte for byte, $(ls /var/run/cdi | wc -l) file(s) in /var/run/cdi" ||
			rc=1
	fi
	nvidia_plugin_stop
	helm uninstall gpuop -n gpu-operator --wait >/dev/null 2>&1
	bash testenv/cluster.sh down >/dev/null 2>&1
	nvidia_toolkit_off
	((rc == 0)) && log "=== scenario $s: PASSED" || log "=== scenario $s: FAILED"
	return $rc
}

case ${1:-} in
stage) shift; for p; do stage "$p"; done ;;
unpack) unpack ;; # the parts into $GPUOP_E2E_DIR only (a dry run of the cluster on a machine without a GPU)
run)
	shift
	unpack
	date -u; nvidia-smi -L; nvidia-smi --query-gpu=mig.mode.current --format=csv,noheader
	vectoradd_image
	[[ ${GPUOP_E2E_DOCTOR:-1} == 1 ]] && doctor_timing
	failed=0
	for s in "${@:-gpuop}"; do
		scenario "$s" 2>&1 | tee "$OUT/e2e-$s.log"
		((PIPESTATUS[0] == 0)) || failed=1
	done
	exit $failed
	;;
*) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
