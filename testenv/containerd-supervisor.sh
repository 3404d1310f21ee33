#!/usr/bin/env bash
# Keeps testenv's containerd running as a node's service manager does: started again whenever it exits, because the
# toolkit step (gpuop toolkit install/uninstall) restarts containerd by SIGTERM to the socket's owner on a node
# without systemd, and waits for a new pid to answer. In the k3s layout it first renders config.toml from K3s's
# template, as K3s does at every start of its containerd: the line {{ template "base" . }} becomes K3s's base
# config, and without a template the base config is used as it is.
#   containerd-supervisor.sh BIN_DIR BASE_CONFIG|- CONFIG PID_DIR
set -u
bin=$1 base=$2 config=$3 pids=$4
stop=0 child=
trap 'stop=1; [[ -n $child ]] && kill -TERM "$child" 2>/dev/null' TERM INT

render() {
	local tmpl=${config%/*}/config-v3.toml.tmpl
	if [[ -f $tmpl ]]; then
		awk -v base="$base" '/\{\{-? *template "base" \. *-?\}\}/ {
			while ((getline line < base) > 0) print line; close(base); next } { print }' "$tmpl" >"$config.tmp"
	else
		cp "$base" "$config.tmp"
	fi
	mv "$config.tmp" "$config"
}

while ((!stop)); do
	[[ $base == - ]] || render
	"$bin/containerd" --config "$config" &
	child=$!
	echo "$child" >"$pids/containerd.pid"
	echo "$bin/containerd" >"$pids/containerd.exe"
	wait "$child"
	wait "$child" 2>/dev/null # after a trapped signal, until containerd is gone
	((stop)) && break
	echo "[containerd-supervisor] containerd $child exited; starting it again" >&2
	sleep 0.5
done
