#!/usr/bin/env bash
# gpuop end-to-end test bed: a real one-node Kubernetes on this machine, from the
# binaries build.sh put in testenv/.bin.
#
#   cluster.sh up            build if needed (build.sh), start (or reuse) the cluster;
#                            prints the kubeconfig path
#   cluster.sh down          stop every process it started (by pid) and remove its state
#   cluster.sh status        what runs, node list
#   cluster.sh kwok N        add N simulated GPU nodes (KWOK); `kwok 0` removes them all
#   cluster.sh restart-kubelet   restart the kubelet alone (it recreates kubelet.sock)
#   cluster.sh outage SECONDS [etcd]   stop the API server (and etcd) for SECONDS, then start it again
#   cluster.sh import TAR [NAME]   import an OCI/docker image archive into containerd (k8s.io)
#   cluster.sh nvidia-runtime PATH|off   add (or remove) containerd's nvidia runtime as RKE2/K3s add it when
#                            NVIDIA's container toolkit is on the host (BinaryName PATH), and restart containerd
#   cluster.sh kubectl ...   kubectl against the cluster (also: crictl ..., ctr ...)
#   cluster.sh env           prints `export KUBECONFIG=...; export PATH=...`
#
# Environment: GPUOP_TESTENV_DIR (state, default /tmp/gpuop-testenv),
#   GPUOP_TESTENV_KUBELET=0 (control plane + KWOK only, no containerd/kubelet),
#   GPUOP_TESTENV_BUILD=0 (up does not run build.sh),
#   GPUOP_KWOK_TAINT=1, GPUOP_KWOK_GPUS=8, GPUOP_KWOK_GPU_PRODUCT, GPUOP_KWOK_GPU_MEMORY,
#   GPUOP_TESTENV_LAYOUT=plain|k3s (k3s: containerd's config, template and socket where K3s has them),
#   GPUOP_TESTENV_BIN (binaries instead of .bin: the GPU machine's multi-call bundle),
#   GPUOP_TESTENV_PATH (dirs put first on PATH: runc, iptables, ip where the host has none),
#   GPUOP_TESTENV_CNI_DIR (CNI plugins, default /usr/lib/cni),
#   GPUOP_TESTENV_KUBELET_V (the kubelet's log verbosity, default 1; 2 logs each device plugin's first device list),
#   GPUOP_TESTENV_AUDIT_POLICY (an audit policy file: the API server then writes its audit log, JSON lines, to
#   $GPUOP_TESTENV_DIR/logs/audit.log; bench/side-by-side.sh counts each operator's requests there).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${GPUOP_TESTENV_BIN:-$HERE/.bin}
IMG=${GPUOP_TESTENV_IMAGES:-$HERE/.images}
D=${GPUOP_TESTENV_DIR:-/tmp/gpuop-testenv}
PKI=$D/pki
LOGS=$D/logs
PIDS=$D/pids
KUBECONFIG_FILE=$D/kubeconfig
# a running cluster keeps the layout it was started with (down, status and import need its paths)
LAYOUT=${GPUOP_TESTENV_LAYOUT:-$(cat "$D/layout" 2>/dev/null || echo plain)}
case $LAYOUT in
# containerd where testenv keeps its state: CI's default, nothing outside $D
plain) CTRD_DIR=$D/containerd CTRD_CONFIG=$D/containerd/config.toml CTRD_SOCK=$D/containerd/containerd.sock ;;
# K3s's paths: the node gpuop sees is laid out as the seed's K3s node (config rendered from a template)
k3s)
	CTRD_DIR=/var/lib/rancher/k3s/agent/containerd
	CTRD_CONFIG=/var/lib/rancher/k3s/agent/etc/containerd/config.toml
	CTRD_SOCK=/run/k3s/containerd/containerd.sock
	;;
*) echo "GPUOP_TESTENV_LAYOUT must be plain or k3s, got $LAYOUT" >&2; exit 2 ;;
esac
CNI_BIN_DIR=${GPUOP_TESTENV_CNI_DIR:-/usr/lib/cni}
WITH_KUBELET=${GPUOP_TESTENV_KUBELET:-1}

NODE_NAME=gpuop-node
BRIDGE=gpuop0
POD_CIDR=10.244.0.0/24
NODE_IP=10.244.0.1          # the bridge's own address: node InternalIP, kubelet, apiserver endpoint
SERVICE_CIDR=10.96.0.0/24
KUBERNETES_SVC_IP=10.96.0.1
API_PORT=6443
CDI_DIRS=(/etc/cdi /var/run/cdi)
KUBELET_ROOT=/var/lib/kubelet   # device plugins: /var/lib/kubelet/device-plugins (fixed path)

export PATH=${GPUOP_TESTENV_PATH:+$GPUOP_TESTENV_PATH:}$BIN:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

log() { printf '[testenv %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# ---------------------------------------------------------------- processes ------
# start NAME BINARY ARGS...: runs detached (own session), records its pid.
start() {
	local name=$1; shift
	mkdir -p "$LOGS" "$PIDS"
	# setsid without job control does not fork, so $! is the daemon's own pid
	setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
	echo $! >"$PIDS/$name.pid"
	echo "$1" >"$PIDS/$name.exe"
}
# pid of NAME if it is alive and still the binary we started
pid_of() {
	local f=$PIDS/$1.pid pid exe
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	exe=${exe% (deleted)} # build.sh may have replaced the binary since
	[[ $exe == "$(readlink -f "$(<"$PIDS/$1.exe")")" ]] || return 1
	echo "$pid"
}
running() { pid_of "$1" >/dev/null; }
stop_proc() { # stop_proc NAME...: SIGTERM to all, wait up to 15 s, then SIGKILL
	local n pid i t0=$SECONDS alive
	local -A pids=()
	for n; do
		if pid=$(pid_of "$n"); then
			pids[$n]=$pid
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	for ((i = 0; i < 150; i++)); do
		alive=0
		for n in "${!pids[@]}"; do kill -0 "${pids[$n]}" 2>/dev/null && alive=1; done
		((alive)) || break
		sleep 0.1
	done
	for n in "${!pids[@]}"; do
		if kill -0 "${pids[$n]}" 2>/dev/null; then
			log "$n (${pids[$n]}) ignored SIGTERM for 15s, killing"
			kill -KILL "${pids[$n]}" 2>/dev/null || true
		fi
	done
	((SECONDS - t0 < 5)) || log "stopping $* took $((SECONDS - t0))s"
	for n; do rm -f "$PIDS/$n.pid" "$PIDS/$n.exe"; done
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
	local secs=$1 what=$2 end; shift 2
	end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || { log "timed out after ${secs}s waiting for $what"; return 1; }
		sleep 0.2
	done
}
need_alive() { running "$1" || { tail -n 30 "$LOGS/$1.log" >&2; die "$1 exited (log: $LOGS/$1.log)"; }; }

# ---------------------------------------------------------------- certificates ---
cert() { # cert NAME CN O(or "") EXT(clientAuth|serverAuth|both) [SAN]
	local name=$1 cn=$2 o=$3 ext=$4 san=${5:-} subj eku
	subj="/CN=$cn"; [[ -n $o ]] && subj="/O=$o$subj"
	case $ext in client) eku=clientAuth ;; server) eku=serverAuth ;; *) eku="serverAuth,clientAuth" ;; esac
	openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
	openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$eku"
		[[ -n $san ]] && echo "subjectAltName=$san"
	} >"$PKI/$name.ext"
	openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
		-days 30 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
	rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}
kubeconfig() { # kubeconfig FILE CERTNAME
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: gpuop-testenv
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: gpuop-testenv
  context: {cluster: gpuop-testenv, user: $2}
current-context: gpuop-testenv
EOF
}
make_pki() {
	mkdir -p "$PKI"
	openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
	openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=gpuop-testenv-ca" -days 30 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
		-out "$PKI/ca.crt" 2>/dev/null
	cert apiserver kube-apiserver "" server \
		"DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SVC_IP"
	cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters client
	cert admin gpuop-testenv-admin system:masters client
	cert controller-manager system:kube-controller-manager "" client
	cert scheduler system:kube-scheduler "" client
	cert kube-proxy system:kube-proxy "" client
	cert kubelet "system:node:$NODE_NAME" system:nodes client
	cert front-proxy-client front-proxy-client "" client
	cert kubelet-serving "$NODE_NAME" "" server "DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP,IP:127.0.0.1"
	openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
	openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
	kubeconfig "$KUBECONFIG_FILE" admin
	kubeconfig "$D/controller-manager.kubeconfig" controller-manager
	kubeconfig "$D/scheduler.kubeconfig" scheduler
	kubeconfig "$D/kube-proxy.kubeconfig" kube-proxy
	kubeconfig "$D/kubelet.kubeconfig" kubelet
	chmod 600 "$PKI"/*.key
}

# ---------------------------------------------------------------- control plane --
api_ready() { kc get --raw /readyz >/dev/null 2>&1; }

start_etcd() {
	start etcd "$BIN/etcd" --name=gpuop-testenv --data-dir="$D/etcd" \
		--listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
		--listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
		--initial-cluster=gpuop-testenv=http://127.0.0.1:2380 --listen-metrics-urls=http://127.0.0.1:2381 \
		--quota-backend-bytes=4294967296 --snapshot-count=100000 --log-level=warn
	wait_for 30 etcd curl -fsS http://127.0.0.1:2379/health || need_alive etcd
}

start_apiserver() {
	local audit=()
	if [[ -n ${GPUOP_TESTENV_AUDIT_POLICY:-} ]]; then
		audit=(--audit-policy-file="$(readlink -f "$GPUOP_TESTENV_AUDIT_POLICY")" --audit-log-path="$LOGS/audit.log"
			--audit-log-format=json --audit-log-mode=batch --audit-log-maxsize=2000 --audit-log-maxbackup=1)
	fi
	start kube-apiserver "$BIN/kube-apiserver" "${audit[@]}" \
		--etcd-servers=http://127.0.0.1:2379 \
		--bind-address=0.0.0.0 --secure-port=$API_PORT --advertise-address=$NODE_IP \
		--tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
		--client-ca-file="$PKI/ca.crt" \
		--authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
		--service-cluster-ip-range=$SERVICE_CIDR \
		--kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
		--kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
		--kubelet-certificate-authority="$PKI/ca.crt" \
		--kubelet-preferred-address-types=InternalIP \
		--allow-privileged=true --enable-aggregator-routing=true \
		--requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
		--requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
		--requestheader-extra-headers-prefix=X-Remote-Extra- \
		--proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
		--max-requests-inflight=800 --max-mutating-requests-inflight=400 --delete-collection-workers=4 \
		--profiling=false --v=1
	wait_for 60 kube-apiserver api_ready || need_alive kube-apiserver
}

start_control_plane() {
	start_etcd
	start_apiserver
	start kube-controller-manager "$BIN/kube-controller-manager" \
		--kubeconfig="$D/controller-manager.kubeconfig" \
		--authentication-kubeconfig="$D/controller-manager.kubeconfig" \
		--authorization-kubeconfig="$D/controller-manager.kubeconfig" \
		--bind-address=127.0.0.1 --leader-elect=false \
		--service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
		--use-service-account-credentials=true \
		--cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
		--service-cluster-ip-range=$SERVICE_CIDR --allocate-node-cidrs=false \
		--node-monitor-grace-period=90s \
		--kube-api-qps=200 --kube-api-burst=400 --concurrent-gc-syncs=20 --v=1

	cat >"$D/scheduler.yaml" <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection: {kubeconfig: $D/scheduler.kubeconfig, qps: 200, burst: 400}
leaderElection: {leaderElect: false}
EOF
	start kube-scheduler "$BIN/kube-scheduler" --config="$D/scheduler.yaml" \
		--authentication-kubeconfig="$D/scheduler.kubeconfig" --authorization-kubeconfig="$D/scheduler.kubeconfig" \
		--bind-address=127.0.0.1 --v=1
}

# ---------------------------------------------------------------- node -----------
setup_host_network() {
	# Pod network: a bridge of our own whose address is the node IP. Pods get
	# 10.244.0.0/24 addresses in network namespaces containerd creates; their only
	# routes are that subnet and the service range, so they reach nothing outside.
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add "$BRIDGE" type bridge
		ip addr add "$NODE_IP/24" dev "$BRIDGE"
	fi
	ip link set "$BRIDGE" up
	# Service traffic between pods on the bridge: the kube-proxy DNAT needs forwarding and
	# bridged traffic seen by iptables. Remember the values to restore them at `down`.
	[[ -f $D/sysctl.saved ]] || {
		echo "net.ipv4.ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
		[[ -f /proc/sys/net/bridge/bridge-nf-call-iptables ]] &&
			echo "net.bridge.bridge-nf-call-iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
	} >"$D/sysctl.saved"
	sysctl -qw net.ipv4.ip_forward=1
	[[ -f /proc/sys/net/bridge/bridge-nf-call-iptables ]] && sysctl -qw net.bridge.bridge-nf-call-iptables=1
	# Guard: nothing enters the apiserver port (it binds 0.0.0.0 so pods can reach it on
	# the bridge) except from loopback and the bridge; pods are never forwarded out of it.
	iptables -w -N GPUOP-TESTENV-IN 2>/dev/null || iptables -w -F GPUOP-TESTENV-IN
	iptables -w -A GPUOP-TESTENV-IN -i lo -j RETURN
	iptables -w -A GPUOP-TESTENV-IN -i "$BRIDGE" -j RETURN
	iptables -w -A GPUOP-TESTENV-IN -j DROP
	iptables -w -C INPUT -p tcp --dport $API_PORT -j GPUOP-TESTENV-IN 2>/dev/null ||
		iptables -w -I INPUT -p tcp --dport $API_PORT -j GPUOP-TESTENV-IN
	iptables -w -N GPUOP-TESTENV-FWD 2>/dev/null || iptables -w -F GPUOP-TESTENV-FWD
	iptables -w -A GPUOP-TESTENV-FWD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
	iptables -w -A GPUOP-TESTENV-FWD -i "$BRIDGE" -j DROP
	iptables -w -A GPUOP-TESTENV-FWD -o "$BRIDGE" -j DROP
	iptables -w -C FORWARD -j GPUOP-TESTENV-FWD 2>/dev/null || iptables -w -I FORWARD -j GPUOP-TESTENV-FWD
}
teardown_host_network() {
	iptables -w -D INPUT -p tcp --dport $API_PORT -j GPUOP-TESTENV-IN 2>/dev/null || true
	iptables -w -D FORWARD -j GPUOP-TESTENV-FWD 2>/dev/null || true
	for c in GPUOP-TESTENV-IN GPUOP-TESTENV-FWD; do
		iptables -w -F $c 2>/dev/null || true
		iptables -w -X $c 2>/dev/null || true
	done
	# chains the kubelet creates (kube-proxy --cleanup removes kube-proxy's own)
	local ipt t c
	for ipt in iptables ip6tables; do
		command -v $ipt >/dev/null || continue
		$ipt -w -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
		$ipt -w -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
		for t in filter nat mangle; do
			for c in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
				$ipt -w -t $t -F $c 2>/dev/null && $ipt -w -t $t -X $c 2>/dev/null || true
			done
		done
	done
	ip link del "$BRIDGE" 2>/dev/null || true
	if [[ -f $D/sysctl.saved ]]; then
		while IFS= read -r kv; do sysctl -qw "$kv" || true; done <"$D/sysctl.saved"
	fi
}

# A node's / is a shared mount (systemd makes it so at boot): HostToContainer volumes, such as the node agent's
# view of the host's root, need it, or the CRI refuses the container. Hosts without systemd (this sandbox, the GPU
# machine) have it private; up makes it shared as systemd would, and down puts back what was there.
setup_mount_propagation() {
	local was
	was=$(findmnt -n -o PROPAGATION / 2>/dev/null || echo unknown)
	[[ -f $D/root-propagation.saved ]] || echo "$was" >"$D/root-propagation.saved"
	[[ $was == shared* ]] || mount --make-rshared /
}
teardown_mount_propagation() {
	[[ -f $D/root-propagation.saved ]] || return 0
	case $(<"$D/root-propagation.saved") in
	private*) mount --make-rprivate / ;;
	slave*) mount --make-rslave / ;;
	esac
}

start_containerd() {
	local c=$CTRD_DIR conf=$CTRD_CONFIG
	# the k3s layout renders config.toml from base.toml (+ K3s's template) at every start, as K3s does
	[[ $LAYOUT == k3s ]] && conf=$D/containerd-base.toml
	mkdir -p "$c" "${CTRD_CONFIG%/*}" "${CTRD_SOCK%/*}" "$D/cni/net.d" "${CDI_DIRS[@]}"
	cat >"$D/cni/net.d/10-gpuop-testenv.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "gpuop-testenv",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$D/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "$SERVICE_CIDR"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
	cat >"$conf" <<EOF
version = 4
imports = []
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.blockfile",
  "io.containerd.snapshotter.v1.erofs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[debug]
  level = "warn"
[plugins."io.containerd.server.v1.grpc"]
  address = "$CTRD_SOCK"
[plugins."io.containerd.server.v1.ttrpc"]
  address = "$CTRD_SOCK.ttrpc"
[plugins."io.containerd.server.v1.debug"]
  address = ""
[plugins."io.containerd.server.v1.metrics"]
  address = ""
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".registry]
    # every registry resolves to 127.0.0.1:1 (nothing listens): pulls fail at once, and
    # no traffic leaves the machine; images come from "cluster.sh import" only
    config_path = "$c/certs.d"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$(sed -n 6p "$BIN/VERSIONS")"
[plugins."io.containerd.cri.v1.runtime"]
  # CDI is always on in containerd 2.x; these are its spec dirs
  cdi_spec_dirs = ["/etc/cdi", "/var/run/cdi"]
  netns_mounts_under_state_dir = true
  # This sandbox's bounding set lacks CAP_SYS_RESOURCE, so nobody may lower an
  # oom_score_adj: clamp the CRI's values (pause: -998) to containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
        Root = "$D/runc"
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["$CNI_BIN_DIR"]
    conf_dir = "$D/cni/net.d"
    max_conf_num = 1
[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
EOF
	# K3s adds a runtime for each NVIDIA container runtime it finds at start (the seed's step 3); so does this layout
	if [[ $LAYOUT == k3s && -x /usr/bin/nvidia-container-runtime ]]; then
		cat >>"$conf" <<EOF
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]
    BinaryName = "/usr/bin/nvidia-container-runtime"
    SystemdCgroup = false
EOF
	fi
	mkdir -p "$c/certs.d/_default"
	printf 'server = "http://127.0.0.1:1"\n[host."http://127.0.0.1:1"]\n  capabilities = ["pull", "resolve"]\n' \
		>"$c/certs.d/_default/hosts.toml"
	printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 30\n' "$CTRD_SOCK" "$CTRD_SOCK" >"$D/crictl.yaml"
	if [[ $LAYOUT == k3s ]]; then
		# where K3s keeps its containerd (the toolkit step runs `containerd config dump` from there): a hard link,
		# since a symlink out of the host's root would not resolve inside the toolkit step's /host
		mkdir -p /var/lib/rancher/k3s/data/current/bin
		ln -f "$BIN/containerd" /var/lib/rancher/k3s/data/current/bin/containerd 2>/dev/null ||
			cp "$BIN/containerd" /var/lib/rancher/k3s/data/current/bin/containerd
		start containerd-supervisor "$(command -v bash)" "$HERE/containerd-supervisor.sh" "$BIN" "$conf" "$CTRD_CONFIG" "$PIDS"
	else
		start containerd-supervisor "$(command -v bash)" "$HERE/containerd-supervisor.sh" "$BIN" - "$CTRD_CONFIG" "$PIDS"
	fi
	wait_for 30 containerd ctr_ok || need_alive containerd
}
ctr_ok() { "$BIN/ctr" -a "$CTRD_SOCK" version; }
ctr() { "$BIN/ctr" -a "$CTRD_SOCK" -n k8s.io "$@" 2> >(grep -v "DEPRECATION: The support for cgroup v1" >&2); }

normalize_ref() { # the name Kubernetes/CRI uses for an image reference
	local r=$1 first=${1%%/*}
	if [[ $r != */* ]]; then
		echo "docker.io/library/$r"
	elif [[ $first != *.* && $first != *:* && $first != localhost ]]; then
		echo "docker.io/$r"
	else
		echo "$r"
	fi
}
import_image() { # import_image TAR [NAME]: prints the image name(s) pods can use
	local tar=$1 name=${2:-} before after added r n src="" out=()
	[[ -f $tar ]] || die "no such file: $tar"
	before=$(ctr images ls -q | sort)
	ctr images import --all-platforms --digests "$tar" >/dev/null
	after=$(ctr images ls -q | sort)
	added=$(comm -13 <(echo "$before") <(echo "$after"))
	for r in $added; do
		case $r in
		sha256:*) ;;                     # CRI's image-id entries
		*@sha256:*) src=${src:-$r} ;;    # --digests: import-DATE@sha256:...
		*)
			src=$r
			n=$(normalize_ref "$r")
			[[ $n == "$r" ]] || ctr images tag --force "$r" "$n" >/dev/null
			out+=("$n")
			;;
		esac
	done
	if [[ -n $name ]]; then
		[[ -n $src ]] || die "nothing new imported from $tar to tag as $name"
		n=$(normalize_ref "$name")
		ctr images tag --force "$src" "$n" >/dev/null
		out=("$n")
	fi
	for r in $added; do # the digest-only names are not needed once tagged
		[[ $r == *@sha256:* ]] && { ctr images rm "$r" >/dev/null 2>&1 || true; }
	done
	if ((${#out[@]})); then
		printf '%s\n' "${out[@]}"
	else
		log "no new image name from $tar (an existing name may have been updated; give NAME to tag)"
	fi
}

start_kubelet() {
	mkdir -p "$KUBELET_ROOT" "$D/pod-logs"
	echo "nameserver 127.0.0.1" >"$D/resolv.conf" # pods resolve nothing: no traffic leaves
	cat >"$D/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# CI's machine has cgroup v1 hierarchies (cgroup2 only at /sys/fs/cgroup/unified) and kubelet
# 1.35+ refuses cgroup v1 unless told otherwise; on a cgroup v2 host (the GPU machine) the
# setting changes nothing, and the same cgroupfs driver serves both.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CTRD_SOCK
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
resolvConf: $D/resolv.conf
podCIDR: $POD_CIDR
podLogsDir: $D/pod-logs
failSwapOn: false
oomScoreAdj: 0     # no CAP_SYS_RESOURCE here: the default -999 cannot be set
registerNode: true
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
nodeStatusReportFrequency: 10s
EOF
	launch_kubelet

	cat >"$D/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $D/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
iptables: {localhostNodePorts: false}
conntrack: {maxPerCore: 0}
oomScoreAdj: 0
EOF
	start kube-proxy "$BIN/kube-proxy" --config="$D/kube-proxy.yaml" --v=1
}

launch_kubelet() {
	start kubelet "$BIN/kubelet" --config="$D/kubelet.yaml" --kubeconfig="$D/kubelet.kubeconfig" \
		--hostname-override=$NODE_NAME --node-ip=$NODE_IP --root-dir="$KUBELET_ROOT" --v="${GPUOP_TESTENV_KUBELET_V:-1}"
}

# A kubelet restart as an admin (or an upgrade) does it: the kubelet wipes the device-plugin directory and
# recreates kubelet.sock, and device plugins must register again (the device plugin E2E test uses this).
cmd_restart_kubelet() {
	[[ $(cat "$D/mode" 2>/dev/null) == kubelet ]] || die "no kubelet in this cluster"
	stop_proc kubelet
	launch_kubelet
	wait_for 90 "node $NODE_NAME Ready" node_ready || { need_alive kubelet; die "node not Ready after restart"; }
	log "kubelet restarted"
}

# An API server outage, as a control-plane upgrade or a crash causes one: the API server stopped for SECONDS (with
# `etcd`, etcd stopped too and started again from its data dir), then started again; returns once it answers
# /readyz. The chaos tests (NodeChaosE2E, ControlPlaneChaosE2E) use it.
cmd_outage() {
	local secs=${1:?usage: cluster.sh outage SECONDS [etcd]} with_etcd=${2:-}
	stop_proc kube-apiserver
	[[ $with_etcd != etcd ]] || stop_proc etcd
	sleep "$secs"
	[[ $with_etcd != etcd ]] || start_etcd
	start_apiserver
	log "API server back after a ${secs}s outage${with_etcd:+ (etcd restarted)}"
}

node_ready() {
	[[ $(kc get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# ---------------------------------------------------------------- commands -------
healthy() {
	[[ -f $KUBECONFIG_FILE ]] && running etcd && running kube-apiserver && running kube-controller-manager &&
		running kube-scheduler && api_ready || return 1
	if [[ $(cat "$D/mode" 2>/dev/null) == kubelet ]]; then
		running containerd-supervisor && running kubelet && running kube-proxy && node_ready || return 1
	fi
}

cmd_up() {
	if healthy; then
		log "already up"
		echo "$KUBECONFIG_FILE"
		return 0
	fi
	if [[ -d $D ]]; then
		log "stale or broken state in $D: cleaning it first"
		cmd_down
	fi
	# build (or, when nothing changed, re-check in seconds) unless told not to
	if [[ ${GPUOP_TESTENV_BUILD:-1} == 1 ]]; then
		"$HERE/build.sh" || die "build failed"
	fi
	[[ -x $BIN/kube-apiserver && -f $BIN/VERSIONS ]] || die "binaries missing: run $HERE/build.sh"
	local t0=$SECONDS
	mkdir -p "$D" "$LOGS" "$PIDS"
	[[ $WITH_KUBELET == 1 ]] && echo kubelet >"$D/mode" || echo control-plane >"$D/mode"
	echo "$LAYOUT" >"$D/layout"
	make_pki
	start_control_plane
	if [[ $WITH_KUBELET == 1 ]]; then
		setup_host_network
		setup_mount_propagation
		start_containerd
		for t in "$IMG"/pause.tar "$IMG"/busybox.tar; do import_image "$t" >/dev/null; done
		start_kubelet
		wait_for 90 "node $NODE_NAME Ready" node_ready || { need_alive kubelet; die "node not Ready; see $LOGS/kubelet.log"; }
	fi
	need_alive kube-controller-manager
	need_alive kube-scheduler
	wait_for 60 "default service account" kc -n default get serviceaccount default ||
		die "no default service account; see $LOGS/kube-controller-manager.log"
	log "up in $((SECONDS - t0))s ($(<"$D/mode"))"
	echo "$KUBECONFIG_FILE"
}

# Unmount everything below the given directories (deepest first).
umount_below() {
	local dir m
	for dir in "$@"; do
		[[ -d $dir ]] || continue
		dir=$(readlink -f "$dir")
		awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r |
			while read -r m; do umount -l "$(printf '%b' "$m")" 2>/dev/null || true; done
	done
}

cmd_down() {
	[[ -d $D ]] || { log "nothing to stop ($D does not exist)"; return 0; }
	stop_proc kwok kubelet
	if running containerd; then
		# remove every pod sandbox: stops containers, shims, tears down pod networks
		"$BIN/crictl" --config "$D/crictl.yaml" rmp -fa >/dev/null 2>&1 || true
	fi
	stop_proc containerd-supervisor # stops its containerd too, and restarts it no more
	stop_proc kube-proxy containerd kube-scheduler kube-controller-manager
	# shims of our containerd (started by it, re-parented to init) and the container
	# processes they parent: kill whatever is left, by pid
	local p exe shim child
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		[[ ${exe% (deleted)} == "$(readlink -f "$BIN")/containerd-shim-runc-v2" ]] || continue
		shim=${p#/proc/}
		for child in $(ps -o pid= --ppid "$shim" 2>/dev/null); do
			log "killing leftover container process $child ($(cat "/proc/$child/comm" 2>/dev/null))"
			kill -KILL "$child" 2>/dev/null || true
		done
		log "killing leftover shim $shim"
		kill -KILL "$shim" 2>/dev/null || true
	done
	stop_proc kube-apiserver
	stop_proc etcd
	if [[ -x $BIN/kube-proxy && $(cat "$D/mode" 2>/dev/null) == kubelet ]]; then
		"$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
	fi
	teardown_host_network
	umount_below "$KUBELET_ROOT" "$D"
	teardown_mount_propagation
	# cgroups the kubelet made (empty once every pod is gone), container log links
	local h sub
	for h in /sys/fs/cgroup/ /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do # v2: the first; v1: the others
		for sub in kubepods k8s.io; do # k8s.io: containers made with `cluster.sh ctr run`
			[[ -d $h$sub ]] && find "$h$sub" -depth -type d -exec rmdir {} + 2>/dev/null || true
		done
	done
	[[ -d /var/log/containers ]] && find /var/log/containers -lname "$D/pod-logs/*" -delete 2>/dev/null || true
	rm -rf "$D" "$KUBELET_ROOT"
	if [[ $LAYOUT == k3s ]]; then # K3s's dirs, as up made them
		umount_below /var/lib/rancher/k3s /run/k3s
		rm -rf /var/lib/rancher/k3s /run/k3s
	fi
	# empty dirs our containerd/shims/ctr leave in their fixed places (sockets, fifos)
	[[ -d /run/containerd ]] && find /run/containerd -depth -type d -empty -delete 2>/dev/null || true
	for dir in "${CDI_DIRS[@]}"; do rmdir "$dir" 2>/dev/null || true; done # only if empty
	log "down"
}

cmd_status() {
	local n
	for n in etcd kube-apiserver kube-controller-manager kube-scheduler containerd-supervisor containerd kubelet kube-proxy kwok; do
		if p=$(pid_of $n); then
			printf '%-24s pid %-8s rss %6s MiB\n' $n "$p" $(($(awk '/VmRSS/{print $2}' /proc/$p/status) / 1024))
		elif [[ -f $PIDS/$n.pid ]]; then
			printf '%-24s DEAD (log %s)\n' $n "$LOGS/$n.log"
		fi
	done
	if api_ready; then
		echo "kubeconfig: $KUBECONFIG_FILE"
		kc get nodes -l '!type' -o wide 2>/dev/null || true
		n=$(kc get nodes -l type=kwok --no-headers 2>/dev/null | wc -l)
		((n == 0)) || echo "kwok nodes: $n ($(kc get nodes -l type=kwok --no-headers 2>/dev/null | grep -c ' Ready ') Ready)"
	else
		echo "apiserver: not ready"
		return 1
	fi
}

kwok_nodes_yaml() { # kwok_nodes_yaml FROM TO
	local i name taint=""
	local gpus=${GPUOP_KWOK_GPUS:-8} product=${GPUOP_KWOK_GPU_PRODUCT:-NVIDIA-H100-80GB-HBM3}
	local mem=${GPUOP_KWOK_GPU_MEMORY:-81559}
	[[ ${GPUOP_KWOK_TAINT:-1} == 1 ]] && taint='  taints: [{key: kwok.x-k8s.io/node, value: fake, effect: NoSchedule}]'
	for ((i = $1; i <= $2; i++)); do
		printf -v name 'kwok-gpu-%05d' "$i"
		cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: $name
    node-role.kubernetes.io/gpu-worker: ""
    nvidia.com/gpu.present: "true"
    feature.node.kubernetes.io/pci-10de.present: "true"
    nvidia.com/gpu.product: $product
    nvidia.com/gpu.count: "$gpus"
    nvidia.com/gpu.memory: "$mem"
spec:
$taint
status:
  allocatable: {cpu: "64", memory: 512Gi, pods: "110", ephemeral-storage: 1Ti, nvidia.com/gpu: "$gpus"}
  capacity: {cpu: "64", memory: 512Gi, pods: "110", ephemeral-storage: 1Ti, nvidia.com/gpu: "$gpus"}
  nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: fake, kernelVersion: fake, osImage: fake, containerRuntimeVersion: fake}
EOF
	done
}

start_kwok() {
	start kwok "$BIN/kwok" --config="$BIN/kwok.yaml" --kubeconfig="$KUBECONFIG_FILE" \
		--manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
		--node-ip=127.0.0.1 --node-port=0 --cidr=10.250.0.0/16 --server-address=127.0.0.1:0
	sleep 1
	need_alive kwok
}

cmd_kwok() {
	local n=${1:?usage: cluster.sh kwok N}
	api_ready || die "cluster is not up"
	local have t0=$SECONDS
	if ((n == 0)); then
		# DELETE of the whole collection, not one request per node (retried: at 5,000
		# nodes one call can outlast the apiserver's 60 s request timeout)
		local tries=0
		while kc get --raw "/api/v1/nodes?labelSelector=type%3Dkwok&limit=1" 2>/dev/null | grep -q '"items":\[{'; do
			((tries++ < 10)) || die "could not delete the kwok nodes"
			kc delete --raw "/api/v1/nodes?labelSelector=type%3Dkwok" >/dev/null 2>&1 || true
		done
		stop_proc kwok
		log "kwok nodes removed"
		return 0
	fi
	running kwok || start_kwok
	have=$(kc get nodes -l type=kwok --no-headers 2>/dev/null | wc -l)
	if ((n > have)); then
		# create in 4 parallel chunks (kubectl create sends one request per object)
		local chunks=4 per from to pids=()
		per=$(((n - have + chunks - 1) / chunks))
		for ((from = have + 1; from <= n; from += per)); do
			to=$((from + per - 1)); ((to > n)) && to=$n
			kwok_nodes_yaml $from $to >"$D/kwok-nodes-$from.yaml"
			kc create -f "$D/kwok-nodes-$from.yaml" >/dev/null &
			pids+=($!)
		done
		for p in "${pids[@]}"; do wait "$p" || die "creating kwok nodes failed"; done
		rm -f "$D"/kwok-nodes-*.yaml
	elif ((n < have)); then
		kc get nodes -l type=kwok -o name | sort | tail -n $((have - n)) | xargs kc delete --wait=false >/dev/null
	fi
	local end=$((SECONDS + 600)) kick=$((SECONDS + 180)) ready
	while :; do
		ready=$(kc get nodes -l type=kwok --no-headers 2>/dev/null | grep -c ' Ready ' || true)
		((ready >= n)) && break
		((SECONDS < end)) || die "only $ready of $n kwok nodes Ready after 600s"
		need_alive kwok
		# kwok sometimes loses a few nodes created right after others of the same name were deleted; a restart
		# makes it list them again
		if ((SECONDS > kick)); then
			log "kwok: $ready of $n Ready after $((SECONDS - t0))s; restarting kwok"
			stop_proc kwok
			start_kwok
			kick=$((SECONDS + 120))
		fi
		sleep 2
	done
	log "$n kwok GPU nodes Ready in $((SECONDS - t0))s"
}

# The seed's step 3: with NVIDIA's toolkit installed first, RKE2/K3s write this runtime into containerd's config. On a
# machine without that toolkit, PATH may be runc itself: the handler exists, and pods asking for it start.
NVRT_BEGIN="# >>> nvidia runtime (cluster.sh nvidia-runtime)"
NVRT_END="# <<< nvidia runtime"
containerd_restarted() { local p; p=$(pid_of containerd) && [[ $p != "$1" ]] && ctr_ok >/dev/null 2>&1; }
cmd_nvidia_runtime() {
	local path=${1:?usage: cluster.sh nvidia-runtime PATH|off} conf=$CTRD_CONFIG old
	[[ $LAYOUT == k3s ]] && conf=$D/containerd-base.toml # rendered into config.toml at containerd's start
	[[ -f $conf ]] || die "no containerd config at $conf: is the cluster up (with its kubelet)?"
	[[ $path == off || -x $path ]] || die "nvidia-runtime: $path is not an executable"
	sed -i "/^$NVRT_BEGIN\$/,/^$NVRT_END\$/d" "$conf"
	if [[ $path != off ]]; then
		cat >>"$conf" <<EOF
$NVRT_BEGIN
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]
    BinaryName = "$path"
    SystemdCgroup = false
    Root = "$D/runc"
$NVRT_END
EOF
	fi
	old=$(pid_of containerd) || die "containerd is not running"
	kill -TERM "$old"
	wait_for 30 "containerd restarted" containerd_restarted "$old" ||
		die "containerd did not come back; see $LOGS/containerd-supervisor.log"
	if [[ $path == off ]]; then log "containerd restarted without the nvidia runtime"
	else log "containerd restarted with the nvidia runtime (BinaryName $path)"; fi
}

case ${1:-} in
up) cmd_up ;;
nvidia-runtime) shift; cmd_nvidia_runtime "$@" ;;
down) cmd_down ;;
status) cmd_status ;;
kwok) shift; cmd_kwok "$@" ;;
restart-kubelet) cmd_restart_kubelet ;;
outage) shift; cmd_outage "$@" ;;
import) shift; import_image "$@" ;;
kubectl) shift; kc "$@" ;;
crictl) shift; exec "$BIN/crictl" --config "$D/crictl.yaml" "$@" ;;
ctr) shift; ctr "$@" ;;
env) echo "export KUBECONFIG=$KUBECONFIG_FILE PATH=$BIN:\$PATH" ;;
*) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
