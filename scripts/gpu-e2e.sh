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
	local p pid="" i
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q 'GpuopCommand node-agent --config' && pid=${p#/proc/}
	done
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

scenario() {
	local s=$1 flags rc=0
	log "=== scenario $s"
	case $s in
	gpuop) flags=(--set toolkit.enabled=true --set cdi.enabled=true) ;;
	seed) flags=(--set driver.enabled=false --set toolkit.enabled=false) ;;
	mps) mps_values; flags=(--set toolkit.enabled=true --set cdi.enabled=true -f "$W/mps-values.yaml") ;;
	*) die "unknown scenario $s" ;;
	esac
	rm -rf /var/lib/gpuop /var/run/cdi/nvidia.com-gpu.json
	nvidia_toolkit_off
	[[ $s == seed ]] && nvidia_toolkit_on
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
	doctor_timing
	failed=0
	for s in "${@:-gpuop}"; do
		scenario "$s" 2>&1 | tee "$OUT/e2e-$s.log"
		((PIPESTATUS[0] == 0)) || failed=1
	done
	exit $failed
	;;
*) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
