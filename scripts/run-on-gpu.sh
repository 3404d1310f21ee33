#!/usr/bin/env bash
# Runs on the GPU machine from the unpacked dist/device.tar.xz (scripts/device-bundle.sh): the `gpu`-tagged tests,
# the CLI against nvidia-smi, the NVML latency benchmark (C vs gpuop vs pynvml), the device plugin benchmark, the
# validate-cuda start-up benchmark, the driver files of the host, the CDI spec next to nvidia-ctk's, and `gpuop labels`
# next to GPU feature discovery's, and the GPU metrics' scrape latency on the real GPUs. GPUOP_GPU_PARTS picks parts
# (default: all of tests,nvml,plugin,plugins,startup,facts,cdi,gfd,metrics,prestart).
# Part `plugins` runs our device plugin next to NVIDIA's (bench/device-plugin-side-by-side.sh).
# Reads the GPU's settings only; changes none. Logs go to $OUT (or ./out): at most 8 files come back.
set -uo pipefail
cd "$(dirname "$0")"
out=${OUT:-$PWD/out}
mkdir -p "$out" /tmp/cdi-compare
parts=",${GPUOP_GPU_PARTS:-tests,nvml,plugin,plugins,startup,facts,cdi,gfd,metrics,prestart},"
want() { [[ $parts == *",$1,"* ]]; }
# the jars travel stored (device-bundle.sh); deflated back as built, before anything is timed
if [ ! -f .jars-deflated ]; then python3 bench/jars.py deflate lib/*.jar test-lib/*.jar && touch .jars-deflated; fi
export PATH="$PATH:/usr/local/nvidia/bin:/usr/local/cuda/bin"
java=jre/bin/java
cp="$(ls lib/*.jar test-lib/*.jar | tr '\n' ':')"
# The default CDS archive a JDK ships with, made here to keep the bundle small (see device-bundle.sh).
[ -f jre/lib/server/classes.jsa ] || "$java" -Xshare:dump > /dev/null 2>&1
log() { echo; echo "=== $*"; }
quiet() { grep -vE 'SO_KEEPALIVE|AbstractBootstrap|^(INFO|WARNING: Unknown)|^[A-Z][a-z]{2} [0-9]+, 20'; }

if want tests; then {
  log "machine"; date -u; uname -r; nproc; nvidia-smi
  nvidia-smi -q | grep -E 'Driver Version|CUDA Version|Product Name|MIG Mode' -A1 | head -20
  log "gpuop gpus"; bin/gpuop gpus
  log "gpuop gpus --output json"; bin/gpuop gpus --output json
  log "nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,uuid,pci.bus_id,memory.total,driver_version,compute_cap --format=csv
  log "gpuop validate cuda"; bin/gpuop validate cuda; echo "exit $?"
  log "gpu tests"
  "$java" --enable-native-access=ALL-UNNAMED -jar test-lib/junit-platform-console-standalone.jar execute \
    --class-path "$cp" --select-package dev.gpuop --include-tag gpu --details tree --disable-banner
  echo "junit exit $?"
} 2>&1 | quiet > "$out/gpu-tests.txt"; fi

{
if want nvml; then
  log "NVML per-call latency (20000 calls each, after warm-up; Java with the node agent's JVM flags)"
  gcc -O2 -o /tmp/nvml_latency bench/nvml_latency.c -ldl && /tmp/nvml_latency 20000 | tee /tmp/lat.txt
  # shellcheck disable=SC2046
  "$java" $(bin/gpuop --print-node-agent-jvm-flags) --enable-native-access=ALL-UNNAMED -cp "$cp" \
    dev.gpuop.gpu.bench.NvmlLatencyBench 20000 | tee -a /tmp/lat.txt
  python3 bench/nvml_latency.py 20000 | tee -a /tmp/lat.txt
  python3 bench/latency_table.py < /tmp/lat.txt
fi
if want plugin; then
  log "device plugin: Allocate and re-registration over Unix-socket gRPC (8 simulated GPUs)"
  timeout 300 "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.gpuop.node.bench.DevicePluginBench 10000 2>&1 \
    | quiet
fi
if want plugins && [ -f nvidia-device-plugin.xz ]; then
  log "device plugins side by side: gpuop's node agent and NVIDIA's $(cat nvidia-device-plugin.VERSION), same GPU"
  timeout 400 bench/device-plugin-side-by-side.sh nvidia-device-plugin.xz "$cp" 2>&1 | quiet
fi
if want metrics; then
  log "GPU metrics: GET /metrics on the real GPUs with 50 pods, next to GET /health (node agent's JVM flags)"
  # shellcheck disable=SC2046
  timeout 300 "$java" $(bin/gpuop --print-node-agent-jvm-flags) --enable-native-access=ALL-UNNAMED -cp "$cp" \
    dev.gpuop.node.bench.ExporterScrapeBench 5000 --real 2>&1 | quiet
fi
if want startup; then
  log "start-up: the short commands from the AOT cache trained here, next to NVIDIA's tools (bench/command_time.py)"
  nvcc -O2 -o /tmp/vector_add bench/vector_add.cu && /tmp/vector_add | tail -2
  bin/gpuop --make-aot-cache   # trained at this bundle's final path, on this GPU, with this runtime
  GPUOP_AOT=0 GPUOP_CDS_FILE=/tmp/gpuop.jsa bin/gpuop validate cuda > /dev/null   # the dynamic AppCDS archive
  mkdir -p /tmp/startup
  ctk=/tmp/nvidia-ctk ctk_root=/tmp/ctk-root
  if [ -f nvidia-ctk.xz ] && { xz -dc nvidia-ctk.xz 2>/dev/null || python3 -c "import lzma,sys; \
      sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())" nvidia-ctk.xz; } > "$ctk"; then
    chmod +x "$ctk"
    # nvidia-ctk finds libraries in the standard dirs only: a root whose /usr/lib64 and /usr/bin are the driver's
    mkdir -p "$ctk_root/usr" "$ctk_root/lib"; ln -sfn /usr/local/nvidia/lib64 "$ctk_root/usr/lib64"
    ln -sfn /usr/local/nvidia/bin "$ctk_root/usr/bin"; ln -sfn /lib/firmware "$ctk_root/lib/firmware"
  fi
  export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  # a class-load trace of one real `toolkit cdi generate` from the cache, and one without (classes then load as
  # each step first needs them, which dates the steps): where its time goes
  JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$out/cdi-class-load.txt:uptime" GPUOP_AOT=require \
    bin/gpuop toolkit cdi generate --output /tmp/startup/trace.json > /dev/null 2>&1
  JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$out/cdi-class-load-no-cache.txt:uptime" GPUOP_AOT=0 GPUOP_CDS=0 \
    bin/gpuop toolkit cdi generate --output /tmp/startup/trace.json > /dev/null 2>&1
  python3 -c 'import ctypes,time; t=time.perf_counter(); l=ctypes.CDLL("libnvidia-ml.so.1"); t1=time.perf_counter()
rc=l.nvmlInit_v2(); t2=time.perf_counter(); v=ctypes.c_int(); l.nvmlSystemGetCudaDriverVersion_v2(ctypes.byref(v))
t3=time.perf_counter(); l.nvmlShutdown(); t4=time.perf_counter(); c=ctypes.CDLL("libcuda.so.1"); t5=time.perf_counter()
print(f"NVML from C: dlopen {1e3*(t1-t):.1f} ms, nvmlInit {1e3*(t2-t1):.1f} ms, CUDA version {1e3*(t3-t2):.1f} ms,"
      f" nvmlShutdown {1e3*(t4-t3):.1f} ms, dlopen libcuda after {1e3*(t5-t4):.1f} ms")'
  # the same bundle with picocli as published (Java 5 classes, kept out of the cache): the baseline of the rewrite
  base=/tmp/device-java5-picocli
  rm -rf "$base" && mkdir -p "$base" && cp -r bin lib "$base/" && ln -s "$PWD/jre" "$base/jre"
  cp baseline/picocli-*.jar "$base/lib/" && "$base/bin/gpuop" --make-aot-cache > /dev/null 2>&1
  python3 bench/command_time.py 10 \
    --group validate-cuda --expect "Test PASSED" cuda-c-nvcc /tmp/vector_add \
    gpuop-aot "GPUOP_AOT=require bin/gpuop validate cuda" \
    gpuop-aot-java5-picocli "GPUOP_AOT=require $base/bin/gpuop validate cuda" \
    gpuop-appcds "GPUOP_AOT=0 GPUOP_CDS_FILE=/tmp/gpuop.jsa bin/gpuop validate cuda" \
    gpuop-no-archive "GPUOP_AOT=0 GPUOP_CDS=0 bin/gpuop validate cuda" \
    --group cdi-generate \
    nvidia-ctk "$ctk cdi generate --driver-root $ctk_root --dev-root / --format json --output /tmp/startup/ctk.json" \
    gpuop-aot "GPUOP_AOT=require bin/gpuop toolkit cdi generate --output /tmp/startup/gpuop.json" \
    gpuop-aot-java5-picocli "GPUOP_AOT=require $base/bin/gpuop toolkit cdi generate --output /tmp/startup/b.json" \
    gpuop-aot-ffm-interpreted "GPUOP_AOT=require GPUOP_JAVA_OPTS=-Djdk.internal.foreign.DowncallLinker.USE_SPEC=false \
      bin/gpuop toolkit cdi generate --output /tmp/startup/gpuop.json" \
    gpuop-no-archive "GPUOP_AOT=0 GPUOP_CDS=0 bin/gpuop toolkit cdi generate --output /tmp/startup/gpuop.json" \
    --group gpus --expect NVIDIA nvidia-smi-L "nvidia-smi -L" \
    gpuop-aot "GPUOP_AOT=require bin/gpuop gpus" gpuop-no-archive "GPUOP_AOT=0 GPUOP_CDS=0 bin/gpuop gpus" \
    --group labels --expect nvidia.com/gpu.product gpuop-aot "GPUOP_AOT=require bin/gpuop labels" \
    gpuop-no-archive "GPUOP_AOT=0 GPUOP_CDS=0 bin/gpuop labels" \
    --group floor java-version "jre/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version" \
    gpuop-help "GPUOP_AOT=require bin/gpuop gpus --help" \
    gpuop-gpus-simulated "GPUOP_AOT=require bin/gpuop gpus --simulate h100-sxm-8x" \
    gpuop-gpus "GPUOP_AOT=require bin/gpuop gpus" \
    --group doctor --expect passed gpuop-aot "GPUOP_AOT=require bin/gpuop doctor; true" \
    gpuop-no-archive "GPUOP_AOT=0 GPUOP_CDS=0 bin/gpuop doctor; true"
fi
} 2>&1 | tee "$out/bench.txt"

if want facts; then {
  log "driver files on this host (facts for the CDI spec generator)"
  ls -la /dev/nvidia* /dev/nvidia-caps 2>&1
  ls /usr/local/nvidia /usr/local/nvidia/lib64 /usr/local/nvidia/bin 2>&1 | head -80
  ldconfig -p | grep -iE 'nvidia|cuda' | head -60
  ls -la /lib/firmware/nvidia 2>&1 | head; find / -xdev -name 'gsp*.bin' 2>/dev/null | head
  cat /proc/driver/nvidia/version 2>&1; ls /proc/driver/nvidia-caps 2>&1
  which nvidia-ctk nvidia-container-runtime nvidia-persistenced nvidia-cuda-mps-control containerd 2>&1
  env | grep -iE 'nvidia|cuda|ld_library' 2>&1
} > "$out/host-facts.txt" 2>&1; fi

# The CDI comparison's files travel as one archive.
if want cdi && [ -f nvidia-ctk.xz ]; then
  OUT=/tmp/cdi-compare timeout 120 ./run-cdi-compare.sh > /tmp/cdi-compare/run.log 2>&1 || true
  tar -C /tmp -czf "$out/cdi-compare.tar.gz" cdi-compare
fi

# gpuop labels next to NVIDIA's GPU feature discovery (scripts/build-gfd.sh), per variant; the files as one archive.
gfd_xz=$(ls gpu-feature-discovery.xz /var/tmp/gpu-feature-discovery.xz 2>/dev/null | head -1)
if want gfd && [ -n "$gfd_xz" ]; then
  xz -dc "$gfd_xz" > /tmp/gpu-feature-discovery && chmod +x /tmp/gpu-feature-discovery
  { log "gpuop labels next to GPU feature discovery $(cat gfd.VERSION /var/tmp/gfd.VERSION 2>/dev/null | head -1)"
    bench/gfd-compare.sh /tmp/gpu-feature-discovery bin/gpuop /tmp/gfd-compare; echo "exit $?"
  } 2>&1 | tee "$out/gfd-compare.txt"
  tar -C /tmp -czf "$out/gfd-compare.tar.gz" gfd-compare
fi

# gpuop driver prestart (the driver DaemonSet's init step) on the real node, dry runs only: nothing is unloaded.
# This host's own driver must be refused; over a root that looks like a driver container's node it reads the real
# /proc/modules and /proc/*/fd, once idle and once while a CUDA process holds the GPU.
if want prestart; then {
  log "gpuop driver prestart --dry-run (the host's own driver: must refuse, exit 1)"
  bin/gpuop driver prestart --dry-run --wait 0; echo "exit $?"
  fake=/tmp/prestart-host; mkdir -p "$fake/run/nvidia/driver/usr"
  log "gpuop driver prestart --dry-run over a driver container's root, GPU idle"
  bin/gpuop driver prestart --dry-run --wait 0 --host-root "$fake"; echo "exit $?"
  [ -x /tmp/vector_add ] || nvcc -O2 -o /tmp/vector_add bench/vector_add.cu
  VECTORADD_HOLD_SECONDS=15 /tmp/vector_add > /tmp/prestart-holder.log 2>&1 &
  holder=$!
  sleep 3
  log "the same while the CUDA sample (pid $holder) holds the GPU: must name it, exit 1"
  bin/gpuop driver prestart --dry-run --wait 2 --host-root "$fake"; echo "exit $?"
  wait "$holder"; tail -2 /tmp/prestart-holder.log
} 2>&1 | tee "$out/prestart.txt"; fi

