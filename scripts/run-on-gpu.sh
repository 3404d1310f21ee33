#!/usr/bin/env bash
# Runs on the GPU machine from dist/device (made by scripts/device-bundle.sh): the `gpu`-tagged tests, the CLI
# against nvidia-smi, the NVML latency benchmark (C vs gpuop vs pynvml) and the validate-cuda start-up benchmark.
# Reads the GPU's settings only; changes none. Everything it prints also goes to $OUT (or ./out).
set -uo pipefail
cd "$(dirname "$0")"
out=${OUT:-$PWD/out}
mkdir -p "$out"
export PATH="$PATH:/usr/local/nvidia/bin:/usr/local/cuda/bin"
java=jre/bin/java
# The default CDS archive a JDK ships with, made here to keep the bundle small (see device-bundle.sh).
[ -f jre/lib/server/classes.jsa ] || "$java" -Xshare:dump > /dev/null 2>&1
log() { echo; echo "=== $*"; }
{
log "machine"; date -u; uname -r; nproc; nvidia-smi; nvidia-smi -q | grep -E 'Driver Version|CUDA Version|Product Name|MIG Mode' -A1 | head -20
log "gpuop gpus"; bin/gpuop gpus
log "gpuop gpus --output json"; bin/gpuop gpus --output json
log "nvidia-smi --query-gpu"; nvidia-smi --query-gpu=name,uuid,pci.bus_id,memory.total,driver_version,compute_cap --format=csv
log "gpuop validate cuda"; bin/gpuop validate cuda; echo "exit $?"
log "gpu tests"
"$java" --enable-native-access=ALL-UNNAMED -jar test-lib/junit-platform-console-standalone.jar execute \
  --class-path "$(ls lib/*.jar test-lib/*.jar | tr '\n' ':')" --select-package dev.gpuop --include-tag gpu \
  --details tree --disable-banner; echo "junit exit $?"
} 2>&1 | tee "$out/gpu-tests.txt"
{
log "NVML per-call latency (20000 calls each, after warm-up)"
gcc -O2 -o /tmp/nvml_latency bench/nvml_latency.c -ldl && /tmp/nvml_latency 20000 | tee /tmp/lat.txt
"$java" --enable-native-access=ALL-UNNAMED -cp "$(ls lib/*.jar test-lib/*.jar | tr '\n' ':')" \
  dev.gpuop.gpu.bench.NvmlLatencyBench 20000 | tee -a /tmp/lat.txt
python3 bench/nvml_latency.py 20000 | tee -a /tmp/lat.txt
python3 bench/latency_table.py < /tmp/lat.txt
log "start to Test PASSED"
nvcc -O2 -o /tmp/vector_add bench/vector_add.cu && /tmp/vector_add | tail -2
GPUOP_CDS_FILE=/tmp/gpuop.jsa bin/gpuop validate cuda > /dev/null   # makes the AppCDS archive
python3 bench/startup_time.py 5 cuda-c-nvcc /tmp/vector_add \
  gpuop-cold-jvm-no-appcds "GPUOP_CDS=0 bin/gpuop validate cuda" \
  gpuop-appcds "GPUOP_CDS_FILE=/tmp/gpuop.jsa bin/gpuop validate cuda"
} 2>&1 | tee "$out/bench.txt"
{
log "driver files on this host (facts for the CDI spec generator)"
ls -la /dev/nvidia* /dev/nvidia-caps 2>&1
ls /usr/local/nvidia /usr/local/nvidia/lib64 /usr/local/nvidia/bin 2>&1 | head -80
ldconfig -p | grep -iE 'nvidia|cuda' | head -60
ls -la /lib/firmware/nvidia 2>&1 | head; find / -xdev -name 'gsp*.bin' 2>/dev/null | head
cat /proc/driver/nvidia/version 2>&1; ls /proc/driver/nvidia-caps 2>&1; cat /proc/driver/nvidia-caps/mig-minors 2>&1 | head -5
which nvidia-ctk nvidia-container-runtime nvidia-persistenced nvidia-cuda-mps-control containerd 2>&1
ls /run/nvidia-persistenced /var/run/nvidia-fabricmanager 2>&1
env | grep -iE 'nvidia|cuda|ld_library' 2>&1
} > "$out/host-facts.txt" 2>&1
