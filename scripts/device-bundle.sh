#!/usr/bin/env bash
# Builds what one `device` call needs to run gpuop's GPU tests and benchmarks on the GPU machine, which has no Java
# and no network: a jlink'd Java 25 runtime, the CLI's jars, the test jars, the JUnit console launcher and the
# bench/ harnesses, into dist/device (git-ignored), packed as dist/device.tar.xz. Then carry dist/device.tar.xz and,
# on the GPU machine: tar -xJf dist/device.tar.xz -C /tmp && /tmp/device/run-on-gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
out=dist/device
./mvnw -B -ntp -q package -DskipTests
rm -rf "$out"
mkdir -p "$out/lib" "$out/test-lib" "$out/bin"
cp gpuop-cli/target/lib/*.jar "$out/lib/"
cp gpuop-cli/target/gpuop-cli-*-SNAPSHOT.jar "$out/lib/" 2>/dev/null || cp gpuop-cli/target/gpuop-cli-[0-9]*[0-9].jar "$out/lib/"
rm -f "$out"/lib/*-tests.jar
cp gpuop-node/target/node-agent.classpath "$out/"
cp gpuop-gpu/target/gpuop-gpu-*-tests.jar gpuop-cli/target/gpuop-cli-*-tests.jar gpuop-node/target/gpuop-node-*-tests.jar \
  gpuop-test-support/target/gpuop-test-support-*[0-9T].jar "$out/test-lib/"
junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)
assertj=$(sed -n 's:.*<assertj.version>\(.*\)</assertj.version>.*:\1:p' pom.xml)
./mvnw -B -ntp -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit" \
  -DoutputDirectory="$out/test-lib" -Dmdep.stripVersion=true
./mvnw -B -ntp -q dependency:copy -Dartifact="org.assertj:assertj-core:$assertj" -DoutputDirectory="$out/test-lib"
# picocli as published (Java 5 class files), the same-run baseline for the build's rewritten one (OldClassFiles)
picocli=$(sed -n 's:.*<picocli.version>\(.*\)</picocli.version>.*:\1:p' pom.xml)
./mvnw -B -ntp -q dependency:copy -Dartifact="info.picocli:picocli:$picocli" -DoutputDirectory="$out/baseline"
# The JDK modules the jars need. jdeps also names java.desktop and java.sql, but Jackson requires those only
# statically (optional at run time), and they are a third of the image; jdk.jfr is optional for JUnit too.
# No CDS archive is generated here (it would add 28 MB to what travels): run-on-gpu.sh dumps it there.
modules=java.base,java.logging,java.xml,java.management,jdk.unsupported,jdk.zipfs,jdk.httpserver
"$JAVA_HOME/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress zip-9 --output "$out/jre"
# Jars travel with their entries stored, which xz packs to a third of the deflated jars' size (run-on-gpu.sh deflates
# them back before timing anything, so start-up is measured on jars as built).
python3 bench/jars.py store "$out"/lib/*.jar "$out"/test-lib/*.jar
cp bin/gpuop "$out/bin/"
cp -r bench "$out/bench"
cp scripts/run-on-gpu.sh scripts/run-cdi-compare.sh "$out/"
# NVIDIA's binaries to compare with, each skipped without Go; GPUOP_BUNDLE_NVIDIA names which go in, from
# nvidia-ctk, device-plugin, gfd (default: nvidia-ctk,device-plugin; check the archive's size printed at the end
# against one call's 64 MiB). run-on-gpu.sh also finds gpu-feature-discovery.xz in /var/tmp, where an earlier call
# of the same warm machine can leave it.
extras=",${GPUOP_BUNDLE_NVIDIA-nvidia-ctk,device-plugin},"
# nvidia-ctk, to compare CDI specs there (scripts/build-nvidia-ctk.sh)
if [[ $extras == *,nvidia-ctk,* ]] && scripts/build-nvidia-ctk.sh >/dev/null; then
  cp dist/nvidia-ctk/nvidia-ctk.xz "$out/"
fi
# gpu-feature-discovery, to compare labels there (scripts/build-gfd.sh)
if [[ $extras == *,gfd,* ]] && scripts/build-gfd.sh >/dev/null; then
  cp dist/gfd/gpu-feature-discovery.xz "$out/" && cp dist/gfd/VERSION "$out/gfd.VERSION"
fi
# NVIDIA's device plugin, to compare ours with on the same GPU (scripts/build-nvidia-device-plugin.sh)
if [[ $extras == *,device-plugin,* ]] && scripts/build-nvidia-device-plugin.sh >/dev/null; then
  cp dist/nvidia-device-plugin/nvidia-device-plugin.xz "$out/"
  cp dist/nvidia-device-plugin/VERSION "$out/nvidia-device-plugin.VERSION"
fi
du -sh "$out" "$out/jre" "$out/lib" "$out/test-lib"
# What travels is one xz archive: the runtime's libjvm.so alone is 30 MB unpacked, 64 MiB is the limit.
XZ_OPT=-9 tar -C dist -cJf dist/device.tar.xz device
du -sh dist/device.tar.xz
echo "modules: $modules"
