#!/usr/bin/env bash
# On the GPU machine (from dist/cdi-compare): the CDI spec of this host from gpuop and from NVIDIA's nvidia-ctk,
# side by side in $OUT, with timings and the container paths each mounts. The driver here lives in
# /usr/local/nvidia (lib64, bin), which is put on PATH and LD_LIBRARY_PATH for both.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
mkdir -p "$out"
export PATH=/usr/local/nvidia/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export GPUOP_CDS=0
nvidia-smi -L > "$out/nvidia-smi-L.txt" 2>&1

t0=$(date +%s%N)
"$here/bin/gpuop" toolkit cdi generate --output "$out/gpuop.json" > "$out/gpuop.log" 2>&1
echo "gpuop: exit $? in $(( ($(date +%s%N) - t0) / 1000000 )) ms" | tee "$out/summary.txt"

ctk=/tmp/nvidia-ctk
if xz -dc "$here/nvidia-ctk.xz" > "$ctk" 2>/dev/null || python3 -c "import lzma,sys; \
    sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())" "$here/nvidia-ctk.xz" > "$ctk"; then
  chmod +x "$ctk"
  t0=$(date +%s%N)
  "$ctk" cdi generate --format json --output "$out/nvidia-ctk.json" > "$out/nvidia-ctk.log" 2>&1
  echo "nvidia-ctk: exit $? in $(( ($(date +%s%N) - t0) / 1000000 )) ms" | tee -a "$out/summary.txt"
  if ! grep -q 'libcuda.so' "$out/nvidia-ctk.json" 2>/dev/null; then
    # nvidia-ctk finds libraries in the standard dirs and ld.so.cache only: give it a root whose /usr/lib64 and
    # /usr/bin are the /usr/local/nvidia dirs (its host paths then carry the /tmp/ctk-root prefix)
    root=/tmp/ctk-root
    mkdir -p "$root/usr" "$root/lib"
    ln -sfn /usr/local/nvidia/lib64 "$root/usr/lib64"
    ln -sfn /usr/local/nvidia/bin "$root/usr/bin"
    ln -sfn /lib/firmware "$root/lib/firmware"
    "$ctk" cdi generate --driver-root "$root" --dev-root / --format json --output "$out/nvidia-ctk-rooted.json" \
      > "$out/nvidia-ctk-rooted.log" 2>&1
    echo "nvidia-ctk (driver root $root): exit $?" | tee -a "$out/summary.txt"
  fi
else
  echo "nvidia-ctk: cannot unpack (no xz, no python3)" | tee -a "$out/summary.txt"
fi

for f in "$out"/gpuop.json "$out"/nvidia-ctk*.json; do
  [ -s "$f" ] || continue
  b=$(basename "$f" .json)
  grep -o '"name" *: *"[^"]*"' "$f" | sed 's/.*: *//' | sort -u > "$out/$b.names.txt"
  grep -o '"containerPath" *: *"[^"]*"' "$f" | sed 's/.*: *//' | sort -u > "$out/$b.mounts.txt"
  grep -o '"path" *: *"/dev[^"]*"' "$f" | sed 's/.*: *//' | sort -u > "$out/$b.nodes.txt"
  echo "$b: $(wc -l < "$out/$b.names.txt") names, $(wc -l < "$out/$b.mounts.txt") mount targets," \
    "$(wc -l < "$out/$b.nodes.txt") device nodes, cdiVersion $(grep -o '"cdiVersion" *: *"[^"]*"' "$f" \
    | sed 's/.*: *//')" | tee -a "$out/summary.txt"
done
for kind in names mounts nodes; do
  for ctk_out in "$out"/nvidia-ctk*."$kind".txt; do
    [ -f "$ctk_out" ] && [ -f "$out/gpuop.$kind.txt" ] || continue
    comm -3 "$out/gpuop.$kind.txt" "$ctk_out" > "$out/diff.$(basename "$ctk_out" .txt).txt"
    echo "$kind: only gpuop / only $(basename "$ctk_out" ."$kind".txt) in diff.$(basename "$ctk_out" .txt).txt" \
      "($(grep -c '^[^	]' "$out/diff.$(basename "$ctk_out" .txt).txt") / $(grep -c '^	' \
      "$out/diff.$(basename "$ctk_out" .txt).txt"))" | tee -a "$out/summary.txt"
  done
done
