#!/usr/bin/env bash
# The node agent's resident memory as on a GPU node (docs/benchmarks.md, issue 5): the image's own files
# (target/image-root, left by scripts/build-image.sh) run under chroot as its entry point runs them, node-agent
# serving 8 simulated H100s to testenv's real kubelet and reporting on its Node object through a least-privilege
# service account over TLS, as in a pod. Each variant's VmRSS is sampled every 5 s from its first to its third minute
# (median and max); the baseline is an idle JVM of the image's runtime with the agent's flags, in the same run.
# Needs scripts/build-image.sh, testenv, root.
# Usage: node-agent-memory.sh   (the image's entry point, and the same with tiered compilation beside it)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
root=target/image-root
[ -x "$root/opt/gpuop/bin/gpuop" ] || { echo "node-agent-memory: run scripts/build-image.sh first" >&2; exit 2; }
kubeconfig=$(GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up | tail -1)
kc() { KUBECONFIG=$kubeconfig testenv/.bin/kubectl "$@"; }
sa=$root/var/run/secrets/kubernetes.io/serviceaccount
mkdir -p "$root/proc" "$root/dev" "$root/var/lib/kubelet/device-plugins" "$sa" "$root/tmp/bench"
mount -t proc proc "$root/proc"
# the device files a JVM opens, made rather than bind-mounted: a bind mount of /dev left behind by a killed run would
# let an `rm -rf target` reach the host's /dev
for dev in "null 3" "zero 5" "random 8" "urandom 9"; do
  set -- $dev
  [ -e "$root/dev/$1" ] || mknod -m 666 "$root/dev/$1" c 1 "$2"
done
mount --bind /var/lib/kubelet/device-plugins "$root/var/lib/kubelet/device-plugins"
cleanup() {
  umount "$root/proc" "$root/var/lib/kubelet/device-plugins" 2>/dev/null || true
  rm -f "$root"/dev/{null,zero,random,urandom}
  rm -rf "$root/var/run" "$root/tmp/bench"
  kc delete clusterrolebinding,clusterrole gpuop-agent-bench --ignore-not-found >/dev/null
  kc delete serviceaccount gpuop-agent-bench -n default --ignore-not-found >/dev/null
}
trap cleanup EXIT
kc create serviceaccount gpuop-agent-bench -n default --dry-run=client -o yaml | kc apply -f - >/dev/null
kc create clusterrole gpuop-agent-bench --verb=get,patch --resource=nodes --dry-run=client -o yaml | kc apply -f - >/dev/null
kc create clusterrolebinding gpuop-agent-bench --clusterrole=gpuop-agent-bench \
  --serviceaccount=default:gpuop-agent-bench --dry-run=client -o yaml | kc apply -f - >/dev/null
kc create token gpuop-agent-bench -n default --duration=1h >"$sa/token"
# the cluster's CA, inline in the kubeconfig or in a file it names (testenv's does the latter)
ca_data=$(kc config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
if [ -n "$ca_data" ]; then
  echo "$ca_data" | base64 -d >"$sa/ca.crt"
else
  cp "$(kc config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority}')" "$sa/ca.crt"
fi
printf 'devicePlugin:\n  kubeletDir: /var/lib/kubelet/device-plugins\nserver:\n  port: 0\n' >"$root/tmp/bench/agent.yaml"
printf 'public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(60000); } }\n' \
  >"$root/tmp/bench/Sleep.java"
"$JAVA_HOME/bin/javac" --release 25 -d "$root/tmp/bench" "$root/tmp/bench/Sleep.java"
flags=$(bin/gpuop --print-node-agent-jvm-flags)
in_image() { # in_image COMMAND... &: becomes (exec) COMMAND under chroot with the image's environment and a pod's
  # API variables, so that $! is the JVM's pid; call it in the background only
  exec env -i MALLOC_ARENA_MAX=2 KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=6443 \
    "$(command -v chroot)" "$root" "$@"
}
agent_args=(node-agent --config /tmp/bench/agent.yaml --simulate h100-sxm-8x --node-name gpuop-node)
log=$root/tmp/bench/agent.log

measure() { # measure NAME COMMAND...
  local name=$1; shift
  in_image "$@" "${agent_args[@]}" >"$log" 2>&1 &
  local pid=$!
  sleep 60
  grep -q "registered nvidia.com/gpu with 8" "$log" || { echo "$name: not registered"; tail "$log"; }
  # a run whose reports fail measures failing TLS handshakes, not the agent
  if grep -q "cannot report" "$log"; then echo "$name: reporting failed"; grep "cannot report" "$log"; fi
  grep -q java "/proc/$pid/cmdline" || { echo "$name: $pid is not the JVM" >&2; exit 1; }
  # steady state: VmRSS every 5 s from the first to the third minute (the malloc trim runs once a minute)
  local samples=()
  for _ in $(seq 24); do
    samples+=("$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")")
    sleep 5
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local sorted; sorted=$(printf '%s\n' "${samples[@]}" | sort -n)
  local median; median=$(echo "$sorted" | sed -n 12p)
  local max; max=$(echo "$sorted" | tail -1)
  # shellcheck disable=SC2086
  in_image /opt/gpuop/jre/bin/java $flags -cp /tmp/bench Sleep &
  local idle=$!
  sleep 10
  local base; base=$(awk '/VmRSS/ {print $2}' "/proc/$idle/status")
  kill "$idle"; wait "$idle" 2>/dev/null || true
  printf '%-44s agent median %6.1f MiB, max %6.1f MiB   idle JVM %5.1f MiB   median/idle %.2f\n' "$name" \
    "$(echo "$median / 1024" | bc -l)" "$(echo "$max / 1024" | bc -l)" "$(echo "$base / 1024" | bc -l)" \
    "$(echo "$median / $base" | bc -l)"
}
measure "image entry point (bin/gpuop's agent flags)" /opt/gpuop/bin/gpuop
# the same with C2 alone (no tiered compilation), what the agent ran with until the device plugin comparison
# shellcheck disable=SC2086
measure "the same with C2 alone" /opt/gpuop/jre/bin/java \
  $(echo "$flags" | sed 's/-XX:+TieredCompilation -XX:CICompilerCount=2/-XX:-TieredCompilation -XX:CICompilerCount=1/') \
  --enable-native-access=ALL-UNNAMED -cp "$(bin/gpuop --print-node-agent-classpath /opt/gpuop/lib)" \
  dev.gpuop.cli.GpuopCommand
