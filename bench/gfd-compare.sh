#!/usr/bin/env bash
# gpuop's labels next to NVIDIA's GPU feature discovery on this machine's GPUs, in one run: GFD one-shot
# (`--oneshot --no-timestamp`, scripts/build-gfd.sh builds it) and `gpuop labels --no-timestamp` with the same MIG
# strategy and sharing config, sorted and diffed per variant (default, mig single, mig mixed, time-slicing 4, the same
# renamed, MPS 2), then once with timestamps, then the wall time of each tool's one-shot run.
#   bench/gfd-compare.sh GFD_BINARY GPUOP_COMMAND OUT_DIR      (run-on-gpu.sh runs it as its `gfd` part)
# Exit 0 when every variant's labels are identical. Reads the GPUs; changes nothing.
set -uo pipefail
gfd=$1 gpuop=$2 out=$3
mkdir -p "$out"
tmp=$(mktemp -d)
printf 'version: v1\nsharing:\n  timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 4\n' >"$tmp/ts4.yaml"
printf 'version: v1\nsharing:\n  timeSlicing:\n    renameByDefault: true\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 4\n' >"$tmp/ts4-renamed.yaml"
printf 'version: v1\nsharing:\n  mps:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 2\n' >"$tmp/mps2.yaml"
variants=("default:" "mig-single:--mig-strategy=single" "mig-mixed:--mig-strategy=mixed"
	"ts4:--config-file=$tmp/ts4.yaml" "ts4-renamed:--config-file=$tmp/ts4-renamed.yaml"
	"mps2:--config-file=$tmp/mps2.yaml")
failed=0
for v in "${variants[@]}"; do
	name=${v%%:*} flag=${v#*:}
	"$gfd" --oneshot --no-timestamp $flag --output-file="$tmp/gfd-$name.txt" >"$out/gfd-$name.log" 2>&1 ||
		{ echo "$name: GFD failed (exit $?): $(tail -1 "$out/gfd-$name.log")"; failed=1; continue; }
	$gpuop labels --no-timestamp $flag >"$tmp/gpuop-$name.txt" 2>"$out/gpuop-$name.log" ||
		{ echo "$name: gpuop labels failed: $(tail -1 "$out/gpuop-$name.log")"; failed=1; continue; }
	sort "$tmp/gfd-$name.txt" >"$out/gfd-$name.txt"
	sort "$tmp/gpuop-$name.txt" >"$out/gpuop-$name.txt"
	if diff "$out/gfd-$name.txt" "$out/gpuop-$name.txt" >"$out/diff-$name.txt"; then
		echo "$name: identical ($(wc -l <"$out/gfd-$name.txt") labels)"
	else
		echo "$name: DIFFERENT (< GFD, > gpuop):"; sed 's/^/    /' "$out/diff-$name.txt"; failed=1
	fi
done
# with timestamps: the same keys, and each tool's timestamp is its own start
"$gfd" --oneshot --output-file="$tmp/gfd-ts.txt" >/dev/null 2>&1
$gpuop labels >"$tmp/gpuop-ts.txt" 2>/dev/null
if diff <(cut -d= -f1 "$tmp/gfd-ts.txt" | sort) <(cut -d= -f1 "$tmp/gpuop-ts.txt" | sort) >/dev/null; then
	echo "with timestamps: the same $(wc -l <"$tmp/gfd-ts.txt") keys; gfd.timestamp GFD $(grep -o 'timestamp=.*' \
		"$tmp/gfd-ts.txt" | cut -d= -f2), gpuop $(grep -o 'timestamp=.*' "$tmp/gpuop-ts.txt" | cut -d= -f2)"
else
	echo "with timestamps: the keys differ"; failed=1
fi
# one-shot wall time, five runs each (GFD: Go binary; gpuop: JVM start included)
for tool in gfd gpuop; do
	times=()
	for _ in 1 2 3 4 5; do
		s=$(date +%s%N)
		if [[ $tool == gfd ]]; then "$gfd" --oneshot --no-timestamp --output-file=/dev/null >/dev/null 2>&1
		else $gpuop labels --no-timestamp >/dev/null 2>&1; fi
		times+=("$((($(date +%s%N) - s) / 1000000))")
	done
	echo "$tool one-shot wall time, ms: ${times[*]}"
done
rm -rf "$tmp"
exit $failed
