#!/usr/bin/env bash
# gpuop on a real (one-node) Kubernetes, on any Linux machine where you are root: the seed tutorial's steps 3 to 5.
#   scripts/demo.sh          build gpuop and its image, start testenv (etcd, kube-apiserver, containerd, kubelet from
#                            testenv/), give its node GPUs (this host's, or 8 simulated H100 SXM of an HGX board),
#                            run the seed's `helm install`, show progress until the ClusterPolicy is ready, print
#                            `gpuop status`, run the seed's test pod (runtimeClassName nvidia, nvidia.com/gpu: 1) and
#                            show its log; the cluster stays up and the kubeconfig path is printed.
#   scripts/demo.sh --down   uninstall, take the nvidia runtime out of containerd, stop the cluster, remove its state.
# Environment: GPUOP_DEMO_BUILD=0 (use the build and image that are there), GPUOP_DEMO_SIMULATE=FIXTURE (simulated
# GPUs even on a GPU host; default h100-sxm-8x where NVML does not answer), GPUOP_DEMO_DIR (its files, default
# /tmp/gpuop-demo), and testenv's own (testenv/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
DEMO=${GPUOP_DEMO_DIR:-/tmp/gpuop-demo}
NS=gpu-operator
T0=$SECONDS
step=0
say() { printf '\n\033[1m==> [%d/6] %s\033[0m\n' "$((++step))" "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\ndemo: FAILED: %s\n' "$*" >&2; exit 1; }
cluster() { bash testenv/cluster.sh "$@"; }
kc() { cluster kubectl "$@"; }

down() {
	if cluster status >/dev/null 2>&1; then
		kc delete pod gpu-test --ignore-not-found --wait=false >/dev/null 2>&1 || true
		KUBECONFIG=$(cluster up 2>/dev/null) testenv/.bin/helm uninstall gpuop -n $NS --wait --timeout 3m 2>&1 |
			sed 's/^/    /' || true
		cluster nvidia-runtime off 2>/dev/null || true
	fi
	cluster down
	rm -rf "$DEMO"
	echo "demo: down"
}
[[ ${1:-} == --down ]] && { down; exit 0; }
[[ -z ${1:-} ]] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
((EUID == 0)) || die "run as root: testenv starts containerd, a kubelet and pod networks on this machine"

mkdir -p "$DEMO"
say "build gpuop (scripts/build.sh) and its image (scripts/build-image.sh)"
if [[ ${GPUOP_DEMO_BUILD:-1} == 1 ]]; then
	scripts/build.sh -q >/dev/null || die "scripts/build.sh: run it alone to see why"
	bash testenv/build.sh 2>&1 | tail -1 | sed 's/^/    testenv: /' # busybox-static, which the image needs
	scripts/build-image.sh >/dev/null || die "scripts/build-image.sh"
fi
[[ -s dist/gpuop-image.tar ]] || die "no dist/gpuop-image.tar: run without GPUOP_DEMO_BUILD=0"
note "bin/gpuop, dist/gpuop-image.tar ($((SECONDS - T0)) s)"

say "a one-node Kubernetes from testenv/ (testenv/cluster.sh up)"
KUBECONFIG=$(cluster up 2> >(sed 's/^/    /' >&2)) || die "testenv/cluster.sh up"
export KUBECONFIG
state=$(dirname "$KUBECONFIG")
cluster import dist/gpuop-image.tar >/dev/null
note "kubeconfig $KUBECONFIG; gpuop's image imported into the node's containerd (no registry is used)"

say "the node's GPUs and the seed's steps 1 to 3 (driver, NVIDIA's toolkit, containerd's nvidia runtime)"
values=() # what this cluster needs on top of the seed's flags, each with its reason
simulate=${GPUOP_DEMO_SIMULATE:-}
if [[ -z $simulate ]] && bin/gpuop gpus >/dev/null 2>&1; then
	note "this host's GPUs, through NVML:"
	bin/gpuop gpus | sed 's/^/    /'
else
	simulate=${simulate:-h100-sxm-8x}
	note "no NVIDIA driver answers here: the node agent simulates '$simulate' (bin/gpuop gpus --simulate $simulate):"
	bin/gpuop gpus --simulate "$simulate" | sed 's/^/    /'
	# device nodes for the simulated GPUs, with /dev/null's numbers, so that a pod given GPU 3 sees /dev/nvidia3
	mkdir -p "$DEMO/dev"
	n=$(bin/gpuop gpus --simulate "$simulate" -o json | grep -c '"uuid"')
	for node in $(seq -f 'nvidia%g' 0 $((n - 1))) nvidiactl nvidia-uvm; do
		[[ -e $DEMO/dev/$node ]] || mknod "$DEMO/dev/$node" c 1 3
	done
	note "device nodes for them in $DEMO/dev (/dev/null's numbers; never a real GPU's)"
	values+=(--set "nodeAgent.env[0].name=GPUOP_SIMULATE" --set "nodeAgent.env[0].value=$simulate"
		--set "nodeAgent.env[1].name=NVIDIA_DEV_ROOT" --set "nodeAgent.env[1].value=$DEMO"
		--set "nodeAgent.env[2].name=PASS_DEVICE_SPECS" --set "nodeAgent.env[2].value=true")
fi
runtime=$(command -v nvidia-container-runtime || true)
if [[ -n $runtime ]]; then
	note "NVIDIA's container toolkit is on this host: containerd gets the nvidia runtime as RKE2/K3s write it"
	cluster nvidia-runtime "$runtime" 2>&1 | sed 's/^/    /'
elif [[ -z $simulate ]]; then
	# real GPUs need a runtime that hands them over: gpuop's toolkit step does the tutorial's step 2 (CDI)
	note "no NVIDIA container toolkit here: gpuop's toolkit step writes the nvidia runtime and the CDI spec"
	values+=(--set toolkit.enabled=true --set cdi.enabled=true
		--set "toolkit.env[1].name=CONTAINERD_CONFIG" --set "toolkit.env[1].value=$state/containerd/config.toml")
else
	note "no NVIDIA container toolkit here: the nvidia runtime as RKE2/K3s write it, with runc as its binary"
	cluster nvidia-runtime "$(command -v runc)" 2>&1 | sed 's/^/    /'
fi
# testenv keeps containerd's socket under its state dir, where no distribution does: the node checks ask it there
values+=(--set "toolkit.env[0].name=CONTAINERD_SOCKET" --set "toolkit.env[0].value=$state/containerd/containerd.sock"
	--set operator.image.tag=dev --set operator.image.pullPolicy=Never --set nodeAgent.imagePullPolicy=Never)

say "the seed's step 4: helm install"
if testenv/.bin/helm status gpuop -n $NS >/dev/null 2>&1; then
	note "an earlier demo's release is there: helm uninstall gpuop first"
	testenv/.bin/helm uninstall gpuop -n $NS --wait --timeout 3m >/dev/null || die "helm uninstall gpuop"
fi
t=$SECONDS
# a namespace still terminating (an earlier uninstall) refuses new objects
while [[ $(kc get namespace $NS -o jsonpath='{.status.phase}' 2>/dev/null) == Terminating ]]; do
	((SECONDS - t < 120)) || die "namespace $NS still terminating after 2 min"
	sleep 1
done
seed=(--set operator.defaultRuntime=containerd --set driver.enabled=false --set toolkit.enabled=false)
note "helm install --wait gpuop deploy/helm/gpuop -n $NS --create-namespace ${seed[*]}"
note "  and for this cluster: ${values[*]}"
t=$SECONDS
testenv/.bin/helm install --wait --timeout 5m gpuop deploy/helm/gpuop -n $NS --create-namespace "${seed[@]}" \
	"${values[@]}" >"$DEMO/helm.log" 2>&1 &
helm_pid=$!
progress() { # one line: the pods of the namespace and the policy's state
	local pods policy
	pods=$(kc get pods -n $NS --no-headers 2>/dev/null | awk '{print $1 " " $3}' | sed 's/-[a-z0-9]\{5\}\( \)/\1/' |
		paste -sd, - | sed 's/,/, /g')
	policy=$(kc get clusterpolicy cluster-policy -o jsonpath='{.status.state}' 2>/dev/null || true)
	printf '    %3d s  policy: %-9s pods: %s\n' "$((SECONDS - t))" "${policy:-none}" "${pods:-none yet}"
}
while kill -0 $helm_pid 2>/dev/null; do progress; sleep 5; done
wait $helm_pid || { cat "$DEMO/helm.log" >&2; die "helm install (log above)"; }
note "helm returned after $((SECONDS - t)) s (the operator is ready); now the ClusterPolicy:"
until [[ $(kc get clusterpolicy cluster-policy -o jsonpath='{.status.state}' 2>/dev/null) == ready ]]; do
	((SECONDS - t < 300)) || { kc get clusterpolicy cluster-policy -o yaml >&2; die "ClusterPolicy not ready in 5 min"; }
	progress
	sleep 5
done
ready_s=$((SECONDS - T0))
note "ClusterPolicy ready $((SECONDS - t)) s after helm install, $ready_s s after this script started"

say "gpuop status"
sleep 2 # the node agent's first report
bin/gpuop status --kubeconfig "$KUBECONFIG" | sed 's/^/    /'

say "the seed's step 5: a pod with runtimeClassName nvidia asking for nvidia.com/gpu: 1"
if [[ -n $simulate ]]; then
	image=docker.io/library/busybox:1.35
	command='["sh", "-c", "echo NVIDIA_VISIBLE_DEVICES=$NVIDIA_VISIBLE_DEVICES; ls /dev/nvidia*"]'
else
	image=docker.io/gpuop/gpuop:dev
	command='["/opt/gpuop/bin/gpuop", "validate", "cuda"]'
fi
kc delete pod gpu-test --ignore-not-found >/dev/null
kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: gpu-test
spec:
  restartPolicy: Never
  runtimeClassName: nvidia
  tolerations:
  - key: nvidia.com/gpu
    operator: Exists
    effect: NoSchedule
  containers:
  - name: gpu-test
    image: $image
    imagePullPolicy: IfNotPresent
    command: $command
    env:
    - name: LD_LIBRARY_PATH
      value: /usr/local/nvidia/lib64
    resources:
      limits:
        nvidia.com/gpu: 1
EOF
note "kubectl apply: pod gpu-test ($image)"
t=$SECONDS
while :; do
	phase=$(kc get pod gpu-test -o jsonpath='{.status.phase}')
	[[ $phase == Succeeded || $phase == Failed ]] && break
	((SECONDS - t < 120)) || { kc describe pod gpu-test >&2; die "pod gpu-test still $phase after 2 min"; }
	sleep 1
done
note "pod gpu-test $phase after $((SECONDS - t)) s; kubectl logs gpu-test:"
kc logs gpu-test | sed 's/^/    /'
[[ $phase == Succeeded ]] || die "the test pod failed"

cat <<EOF

demo: ready in ${ready_s} s (ClusterPolicy ready); all done in $((SECONDS - T0)) s. The cluster stays up:
  export KUBECONFIG=$KUBECONFIG PATH=$REPO/testenv/.bin:\$PATH
  kubectl get clusterpolicy; kubectl get pods -n $NS; bin/gpuop status; bin/gpuop doctor --no-host
  scripts/demo.sh --down     # uninstall and stop the cluster
EOF
