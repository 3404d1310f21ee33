#!/usr/bin/env bash
# Builds dist/cdi-compare: what one `device` call needs to compare `gpuop toolkit cdi generate` with NVIDIA's
# `nvidia-ctk cdi generate` on the GPU machine (no Java, no network, at most 64 MiB carried; dist/device, with
# gRPC and the test jars, is over that). It holds a jlink'd Java 25 runtime, only the jars the CDI command loads,
# the xz'd nvidia-ctk from scripts/build-nvidia-ctk.sh, and run-cdi-compare.sh. Then, on the GPU machine:
#   dist/cdi-compare/run-cdi-compare.sh      (both specs, timings and diffs of names, mounts, nodes into $OUT)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
./mvnw -B -ntp -q package -DskipTests -pl gpuop-cli -am
scripts/build-nvidia-ctk.sh
out=dist/cdi-compare
rm -rf "$out"
mkdir -p "$out/lib" "$out/bin"
# the same runtime as dist/device (scripts/device-bundle.sh)
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.xml,java.management,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-man-pages --no-header-files --compress zip-9 --output "$out/jre"
cp gpuop-cli/target/gpuop-cli-[0-9]*[0-9T].jar "$out/lib/"
for jar in gpuop-gpu gpuop-node gpuop-api gpuop-operator picocli jackson-core jackson-databind jackson-annotations \
  jackson-dataformat-yaml jackson-datatype-jdk8 snakeyaml; do
  cp gpuop-cli/target/lib/"$jar"-[0-9]*.jar "$out/lib/"
done
cp bin/gpuop "$out/bin/"
cp dist/nvidia-ctk/nvidia-ctk.xz "$out/"
cp scripts/run-cdi-compare.sh "$out/"
du -sh "$out"
