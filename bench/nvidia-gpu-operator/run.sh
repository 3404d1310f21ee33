#!/usr/bin/env bash
# Runs NVIDIA's GPU operator (dist/nvidia-gpu-operator/gpu-operator, from scripts/build-nvidia-gpu-operator.sh) out of
# cluster, as root, against the API server of $KUBECONFIG. Extra arguments go to the operator (e.g. --zap-log-level=debug).
#
# The operator reads two hardcoded absolute paths that its image provides (NOTES.md, "Files it reads"):
#   /opt/gpu-operator/...      operand manifests (the module's assets/ and manifests/)
#   /host-etc/os-release       the host's os-release (the Helm chart mounts /etc/os-release there)
# This script bind-mounts dist/nvidia-gpu-operator/opt/gpu-operator and the host's /etc there, read-only, in a private
# mount namespace (unshare -m), so nothing is mounted on the host. Missing mountpoints (/opt/gpu-operator, /host-etc)
# are created as empty directories and removed again when the operator exits.
#
# Env: KUBECONFIG (required), OPERATOR_NAMESPACE (default nvidia-gpu-operator; must exist in the cluster),
#      NVOP_METRICS_ADDR (default 127.0.0.1:18080; "0" turns metrics off), NVOP_PROBE_ADDR (default 127.0.0.1:18081).
# Stop: SIGTERM/SIGINT to this script (forwarded; the operator shuts down its manager and exits 0).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$root/dist/nvidia-gpu-operator
bin=$dist/gpu-operator
: "${KUBECONFIG:?set KUBECONFIG to an (admin) kubeconfig of the cluster}"
[ -r "$KUBECONFIG" ] || { echo "run.sh: KUBECONFIG=$KUBECONFIG is not readable" >&2; exit 2; }
[ -x "$bin" ] && [ -f "$dist/opt/gpu-operator/state-device-plugin/0500_daemonset.yaml" ] ||
  { echo "run.sh: $bin or its assets missing; run scripts/build-nvidia-gpu-operator.sh" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (unshare -m, bind mounts)" >&2; exit 2; }
export KUBECONFIG=$(readlink -f "$KUBECONFIG")
export OPERATOR_NAMESPACE=${OPERATOR_NAMESPACE:-nvidia-gpu-operator}

made=()
for d in /opt/gpu-operator /host-etc; do
  if [ ! -e "$d" ]; then mkdir -p "$d"; made+=("$d"); fi
done
cleanup() { for d in "${made[@]}"; do rmdir "$d" 2>/dev/null || true; done; }
trap cleanup EXIT

# shellcheck disable=SC2016
unshare -m --propagation private sh -c '
  set -e
  mount --bind "$1/opt/gpu-operator" /opt/gpu-operator && mount -o remount,bind,ro /opt/gpu-operator
  mount --bind /etc /host-etc && mount -o remount,bind,ro /host-etc
  test -f /opt/gpu-operator/state-device-plugin/0500_daemonset.yaml
  test -r /host-etc/os-release
  shift
  exec "$@"' sh "$dist" "$bin" \
  --metrics-bind-address="${NVOP_METRICS_ADDR:-127.0.0.1:18080}" \
  --health-probe-bind-address="${NVOP_PROBE_ADDR:-127.0.0.1:18081}" "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' TERM INT
rc=0
wait $pid || rc=$?
# wait returns early (>128) when a trapped signal arrives; wait again for the operator itself to exit
while kill -0 $pid 2>/dev/null; do wait $pid || rc=$?; done
exit $rc
