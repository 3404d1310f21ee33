#!/usr/bin/env bash
# NVIDIA's GPU operator (built from its Go module) and gpuop's operator, one after the other on the same testenv
# cluster and the same fresh KWOK GPU nodes, at each size (default 100, 1,000 and 5,000 nodes; docs/benchmarks.md):
#   - time from the operator's process start (its policy already there) until every node carries the operator's
#     device plugin deploy label: the first labelling;
#   - steady-state API requests over a window (default 120 s), counted by user agent in the API server's audit
#     log (bench/side-by-side-audit.yaml), by verb and resource;
#   - resident memory of the operator's process at steady state;
#   - a policy change: the MIG strategy flipped (single -> mixed), and an env var added to the device plugin, each
#     timed from the policy's event until every DaemonSet that carries it has the new value in its pod template
#     (bench/policy_change_timer.py: both ends on the API server's watches).
# The KWOK nodes are tainted (GPUOP_KWOK_TAINT=1), so both operators' DaemonSets schedule no pods and both policies
# can reach ready. `together` (in GPUOP_SBS_OPERATORS) runs both at once on the same nodes: they write the same node
# labels and the same RuntimeClass, and the window's requests show what that costs.
# Needs root (NVIDIA's run.sh), a build (./mvnw -B -ntp install -DskipTests) and testenv (bash testenv/build.sh).
# Usage: bench/side-by-side.sh [SIZES] ; GPUOP_SBS_WINDOW=seconds, GPUOP_SBS_OPERATORS=nvidia,gpuop (also
# gpuop-lean: gpuop with GPUOP_SBS_LEAN_OPTS added to its JVM options; together: both at once).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
sizes=${1:-100,1000,5000}
window=${GPUOP_SBS_WINDOW:-120}
operators=${GPUOP_SBS_OPERATORS:-nvidia,gpuop}
export GPUOP_TESTENV_KUBELET=0 GPUOP_TESTENV_AUDIT_POLICY=bench/side-by-side-audit.yaml
dir=${GPUOP_TESTENV_DIR:-/tmp/gpuop-testenv}
audit=$dir/logs/audit.log
log() { printf '[side-by-side %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

scripts/build-nvidia-gpu-operator.sh >/dev/null
# a fresh control plane: the audit log is configured when the API server starts
bash testenv/cluster.sh down >/dev/null 2>&1 || true
kubeconfig=$(GPUOP_TESTENV_BUILD=0 bash testenv/cluster.sh up | tail -1)
kc() { KUBECONFIG=$kubeconfig testenv/.bin/kubectl "$@"; }
[ -f "$audit" ] || { echo "no audit log at $audit: the API server did not take the policy" >&2; exit 1; }
kc apply --server-side --force-conflicts -f gpuop-api/target/classes/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml \
  -f bench/nvidia-gpu-operator/from-module/crds/nvidia.com_clusterpolicies.yaml \
  -f bench/nvidia-gpu-operator/from-module/crds/nvidia.com_nvidiadrivers.yaml >/dev/null
kc wait --for=condition=Established crd/clusterpolicies.gpuop.dev crd/clusterpolicies.nvidia.com >/dev/null
for ns in gpuop-bench nvidia-gpu-operator; do kc get ns $ns >/dev/null 2>&1 || kc create ns $ns >/dev/null; done

# timed_change POLICY_PATH NAME NS DS_REGEX VAR VALUE PATCH_ARGS...: seconds from the policy's new generation to every
# matching DaemonSet having VAR=VALUE, both ends events on the API server's watches (bench/policy_change_timer.py)
timed_change() {
  local path=$1 name=$2 ns=$3 regex=$4 var=$5 value=$6
  shift 6
  KUBECONFIG=$kubeconfig python3 bench/policy_change_timer.py testenv/.bin/kubectl "$path" "$name" "$ns" "$regex" \
    "$var" "$value" -- env KUBECONFIG="$kubeconfig" testenv/.bin/kubectl "$@"
}

# wait_labelled SELECTOR N PID: returns once N nodes match, from one watch (a full list of 5,000 nodes every half
# second would load the API server the operators are measured against); fails if PID dies first
wait_labelled() {
  local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
  # the watch is opened again while the operator lives: a loaded API server ends watches (seen at 5,000 nodes while
  # KWOK was restarted), and each new watch lists the labelled nodes first, which the set below counts once
  ( while kill -0 "$3" 2>/dev/null; do kc get nodes -l "$1" --watch -o name 2>/dev/null; sleep 0.2; done ) >"$fifo" &
  local watcher=$!
  ( while kill -0 "$3" 2>/dev/null; do sleep 1; done; pkill -P "$watcher" 2>/dev/null; kill "$watcher" 2>/dev/null ) &
  local guard=$!
  # a read loop, not awk: mawk reads a pipe in 4 KiB blocks and would sit on the last names
  local -A seen=()
  local line rc=1
  while read -r line; do
    seen[$line]=1
    if ((${#seen[@]} >= $2)); then rc=0; break; fi
  done <"$fifo"
  pkill -P "$watcher" 2>/dev/null; kill "$watcher" "$guard" 2>/dev/null || true
  rm -f "$fifo"
  return $rc
}

# NVIDIA's policy with the chart's defaults, but the driver and the toolkit off, as in gpuop's bench policy: the
# nodes (like the seed's hosts) have their driver, and NVIDIA's driver state cannot render for KWOK nodes without
# NFD's kernel and OS labels ("Could not find kernel full version")
nvidia_policy() {
  sed -e '/^  driver:$/,/enabled:/ s/enabled: true/enabled: false/' \
      -e '/^  toolkit:$/,/enabled:/ s/enabled: true/enabled: false/' bench/nvidia-gpu-operator/clusterpolicy.yaml
}

# start_operator OPERATOR: creates its policy and starts its process; sets pid, ns, agent (the user agent its API
# requests carry), label (its device plugin deploy label), policy_kind, policy_name, ds_plugin, oplog and start
start_operator() {
  local op=$1
  pid="" oplog=$(mktemp)
  if [ "$op" = nvidia ]; then
    ns=nvidia-gpu-operator agent='^gpu-operator' label=nvidia.com/gpu.deploy.device-plugin
    policy_kind=clusterpolicies.nvidia.com policy_name=cluster-policy ds_plugin='^nvidia-device-plugin-daemonset$'
    policy_path=/apis/nvidia.com/v1/clusterpolicies
    kc delete clusterpolicies.nvidia.com cluster-policy --ignore-not-found --wait >/dev/null
    nvidia_policy | kc create -f - >/dev/null
    start=$(date +%s.%N)
    KUBECONFIG=$kubeconfig OPERATOR_NAMESPACE=$ns bench/nvidia-gpu-operator/run.sh >"$oplog" 2>&1 &
    for _ in $(seq 50); do
      pid=$(pgrep -f '^/.*dist/nvidia-gpu-operator/gpu-operator ' | head -1 || true)
      [ -n "$pid" ] && break
      sleep 0.2
    done
  else
    # gpuop-lean: the same operator with more JVM options ($GPUOP_SBS_LEAN_OPTS), to try memory flags side by side
    local opts=""
    [ "$op" = gpuop-lean ] && opts=${GPUOP_SBS_LEAN_OPTS:-}
    ns=gpuop-bench agent='fabric8' label=nvidia.com/gpu.deploy.node-agent
    policy_kind=clusterpolicies.gpuop.dev policy_name=bench ds_plugin='^gpuop-node-agent'
    policy_path=/apis/gpuop.dev/v1alpha1/clusterpolicies
    kc delete -f bench/operator-scale-policy.yaml --ignore-not-found --wait >/dev/null
    kc create -f bench/operator-scale-policy.yaml >/dev/null
    start=$(date +%s.%N)
    KUBECONFIG=$kubeconfig GPUOP_JAVA_OPTS=$opts bin/gpuop operator --namespace $ns --node-agent-image gpuop/gpuop:dev \
      --leader-elect=false --metrics-port 0 --health-port 0 >"$oplog" 2>&1 &
    pid=$!
  fi
}

run_one() { # run_one OPERATOR NODES
  local op=$1 n=$2 oplog pid="" agent label ns policy_kind policy_name policy_path ds_plugin start
  log "$op at $n nodes: fresh KWOK nodes"
  bash testenv/cluster.sh kwok 0 >/dev/null
  bash testenv/cluster.sh kwok "$n" >/dev/null
  start_operator "$op"
  [ -n "$pid" ] || { echo "$op did not start:"; tail -20 "$oplog"; exit 1; }
  wait_labelled "$label=true" "$n" "$pid" || { echo "$op died:"; tail -30 "$oplog"; exit 1; }
  local first; first=$(echo "$(date +%s.%N) - $start" | bc)
  log "$op at $n nodes: all labelled after ${first}s; waiting for ready"
  local t0=$SECONDS state=""
  while [ "$state" != ready ] && ((SECONDS - t0 < 600)); do
    state=$(kc get "$policy_kind" "$policy_name" -o jsonpath='{.status.state}' 2>/dev/null || true)
    sleep 1
  done
  local ready=$(( SECONDS - t0 ))
  sleep 30   # let the first burst settle
  local w0 w1 requests rss
  w0=$(date +%s.%N); sleep "$window"; w1=$(date +%s.%N)
  sleep 3    # the audit log is written in batches
  requests=$(python3 bench/side_by_side_audit.py "$audit" "$agent" "$w0" "$w1")
  rss=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
  log "$op at $n nodes: $requests; RSS ${rss} MiB"
  local mig env
  mig=$(timed_change "$policy_path" "$policy_name" "$ns" '' MIG_STRATEGY mixed \
    patch "$policy_kind" "$policy_name" --type merge -p '{"spec":{"mig":{"strategy":"mixed"}}}')
  env=$(timed_change "$policy_path" "$policy_name" "$ns" "$ds_plugin" SIDE_BY_SIDE "$n" \
    patch "$policy_kind" "$policy_name" --type merge \
    -p '{"spec":{"devicePlugin":{"env":[{"name":"SIDE_BY_SIDE","value":"'"$n"'"}]}}}')
  log "$op at $n nodes: MIG strategy change in ${mig}s, device plugin env in ${env}s"
  # gpuop's reconciles of the two changes, with their milliseconds by phase (observe, plan, each operand, labels)
  [ "$op" = nvidia ] || grep -E 'reconciled ClusterPolicy' "$oplog" | tail -4 | sed 's/^/  /' >&2
  printf '| %s | %s | %.1f | %s | %s | %s | %s | %s |\n' "$n" "$op" "$first" "$ready" "$rss" "$mig" "$env" \
    "$requests" >>"$results"
  stop_operator
  kc delete runtimeclass nvidia --ignore-not-found >/dev/null
}

stop_operator() { # the operator start_operator started last (its pid, ns, policy and log)
  kill -TERM "$pid" 2>/dev/null || true
  # not `wait`: with both running it would wait for the other one too (a zombie still answers kill -0)
  while [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do sleep 0.2; done
  wait "$pid" 2>/dev/null || true
  kc delete "$policy_kind" "$policy_name" --wait >/dev/null
  kc delete ds,svc,sa,cm,role,rolebinding --all -n "$ns" --wait=false >/dev/null 2>&1 || true
  rm -f "$oplog"
}

# Both operators at once on the same fresh nodes, each with its policy in its own namespace (as an admin trying
# gpuop next to NVIDIA's would): each one's first labelling, time to ready, RSS, and its requests in the window. The
# two write the same node labels (NVIDIA's nvidia.com/gpu.deploy.* names, which gpuop keeps as a contract) and the
# same cluster-scoped RuntimeClass "nvidia"; the window's writes show whether they undo each other.
run_together() { # run_together NODES
  local n=$1 op oplog pid agent label ns policy_kind policy_name policy_path ds_plugin start
  local -A p_pid p_log p_agent p_label p_kind p_name p_ns p_start p_first p_ready
  log "together at $n nodes: fresh KWOK nodes"
  bash testenv/cluster.sh kwok 0 >/dev/null
  bash testenv/cluster.sh kwok "$n" >/dev/null
  for op in nvidia gpuop; do
    start_operator "$op"
    [ -n "$pid" ] || { echo "$op did not start:"; tail -20 "$oplog"; exit 1; }
    p_pid[$op]=$pid p_log[$op]=$oplog p_agent[$op]=$agent p_label[$op]=$label p_kind[$op]=$policy_kind
    p_name[$op]=$policy_name p_ns[$op]=$ns p_start[$op]=$start
  done
  for op in nvidia gpuop; do
    wait_labelled "${p_label[$op]}=true" "$n" "${p_pid[$op]}" || { echo "$op died:"; tail -30 "${p_log[$op]}"; exit 1; }
    p_first[$op]=$(echo "$(date +%s.%N) - ${p_start[$op]}" | bc)
    log "together at $n nodes: $op labelled every node ${p_first[$op]} s after its start"
  done
  # each one's policy polled in the same loop, so that neither's time includes waiting for the other's
  local t0=$SECONDS state ready=0
  while ((ready < 2)) && ((SECONDS - t0 < 600)); do
    for op in nvidia gpuop; do
      [ -n "${p_ready[$op]:-}" ] && continue
      state=$(kc get "${p_kind[$op]}" "${p_name[$op]}" -o jsonpath='{.status.state}' 2>/dev/null || true)
      if [ "$state" = ready ]; then p_ready[$op]="ready after $(( SECONDS - t0 )) s"; ready=$((ready + 1)); fi
    done
    sleep 1
  done
  for op in nvidia gpuop; do
    [ -n "${p_ready[$op]:-}" ] || p_ready[$op]="$(kc get "${p_kind[$op]}" "${p_name[$op]}" \
      -o jsonpath='{.status.state}' 2>/dev/null || true) after 600 s"
  done
  sleep 30
  local w0 w1
  w0=$(date +%s.%N); sleep "$window"; w1=$(date +%s.%N)
  sleep 3
  for op in nvidia gpuop; do
    printf '| %s | %s (together) | %.1f | %s | %s | %s |\n' "$n" "$op" "${p_first[$op]}" "${p_ready[$op]}" \
      "$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/${p_pid[$op]}/status")" \
      "$(python3 bench/side_by_side_audit.py "$audit" "${p_agent[$op]}" "$w0" "$w1")" >>"$together"
  done
  echo "together at $n nodes: the RuntimeClass nvidia's owners: $(kc get runtimeclass nvidia \
    -o jsonpath='{range .metadata.ownerReferences[*]}{.kind}.{.apiVersion}/{.name} {end}' 2>&1)" >>"$together_notes"
  echo "together at $n nodes: deploy labels on one node: $(kc get nodes -o json | python3 -c '
import json, sys
n = json.load(sys.stdin)["items"][-1]["metadata"]["labels"]
print(" ".join(f"{k}={v}" for k, v in sorted(n.items()) if k.startswith("nvidia.com/gpu.deploy.")))')" >>"$together_notes"
  for op in gpuop nvidia; do
    pid=${p_pid[$op]} oplog=${p_log[$op]} policy_kind=${p_kind[$op]} policy_name=${p_name[$op]} ns=${p_ns[$op]}
    stop_operator
  done
  kc delete runtimeclass nvidia --ignore-not-found >/dev/null
}

# The harness's own floor, same cluster: an env var patched straight into a DaemonSet no operator owns, timed by the
# same watches as the policy changes (its own event is both ends: what is left is the timer's own cost).
floor() {
  kc -n gpuop-bench create -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: side-by-side-floor}
spec:
  selector: {matchLabels: {app: side-by-side-floor}}
  template:
    metadata: {labels: {app: side-by-side-floor}}
    spec:
      nodeSelector: {side-by-side: none}
      containers: [{name: c, image: busybox, env: [{name: SIDE_BY_SIDE, value: "0"}]}]
YAML
  timed_change /apis/apps/v1/namespaces/gpuop-bench/daemonsets side-by-side-floor gpuop-bench '^side-by-side-floor$' \
    SIDE_BY_SIDE 1 -n gpuop-bench set env ds/side-by-side-floor SIDE_BY_SIDE=1
  kc -n gpuop-bench delete ds side-by-side-floor --wait=false >/dev/null
}

results=$(mktemp)
# an operator left running by a failed step would load the next run's API server
trap 'pkill -f "^/.*dist/nvidia-gpu-operator/gpu-operator " 2>/dev/null || true; pkill -f "GpuopCommand operator --namespace gpuop-bench" 2>/dev/null || true' EXIT
IFS=, read -r -a ns_sizes <<<"$sizes"
IFS=, read -r -a ops <<<"$operators"
together=$(mktemp) together_notes=$(mktemp)
for n in "${ns_sizes[@]}"; do
  for op in "${ops[@]}"; do
    if [ "$op" = together ]; then run_together "$n"; else run_one "$op" "$n"; fi
  done
done
if [ -s "$results" ]; then
  echo "| nodes | operator | first labelling s (from process start) | ready after labelled s | RSS MiB | MIG strategy change s | device plugin env change s | steady-state API requests |"
  echo "|---:|---|---:|---:|---:|---:|---:|---|"
  cat "$results"
fi
if [ -s "$together" ]; then
  # NVIDIA's deploy label is one gpuop writes too (NVIDIA's names are gpuop's contract): together, NVIDIA's first
  # labelling is the sooner of the two operators'
  echo "| nodes | operator | first labelling s (from its start) | policy state (after both labelled) | RSS MiB | API requests in the window |"
  echo "|---:|---|---:|---|---:|---|"
  cat "$together" "$together_notes"
fi
echo "harness floor (an env var set on a DaemonSet directly, the same watches): $(floor) s"
bash testenv/cluster.sh kwok 0 >/dev/null
