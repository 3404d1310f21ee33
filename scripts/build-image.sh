#!/usr/bin/env bash
# Builds gpuop's image (operator and node agent in one; its entry point is the `gpuop` command) as an OCI archive,
# without a container engine or a registry: a busybox base, a Java 25 runtime made by jlink, the CLI's jars, and the
# JVM flags and classpaths of bin/gpuop in its entry point, /opt/gpuop/bin/gpuop. Output: dist/gpuop-image.tar, named
# docker.io/gpuop/gpuop:dev; testenv/cluster.sh import loads it into the test cluster.
# Needs a build (scripts/build.sh) and busybox-static (testenv/build.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
ref=${GPUOP_IMAGE:-docker.io/gpuop/gpuop:dev}
out=dist/gpuop-image.tar
[ -d gpuop-cli/target/lib ] || { echo "build-image: no build; run scripts/build.sh first" >&2; exit 2; }
[ -x /bin/busybox ] || { echo "build-image: /bin/busybox missing; apt-get install busybox-static" >&2; exit 2; }
# the image's files stay in target/image-root: bench/node-agent-memory.sh runs the agent in it as the image does
root=target/image-root
# a benchmark killed mid-run may have left its mounts (never follow them with rm)
umount "$root/proc" "$root/var/lib/kubelet/device-plugins" 2>/dev/null || true
rm -rf "$root"
mkdir -p "$root/bin" "$root/opt/gpuop/lib" "$root/tmp" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for tool in sh ls cat echo env sleep mkdir rm ps rmmod; do ln -s busybox "$root/bin/$tool"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
scripts/image-runtime.sh "$root/opt/gpuop/jre"
# The runtime links against glibc: copy what its binaries and libraries need (ldd), at the same paths.
for lib in $(find "$root/opt/gpuop/jre" -name '*.so' -o -path '*/bin/java' | xargs ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# The driver's MPS binaries (nvidia-cuda-mps-control, -server) run from the host's driver root inside this image,
# so they load this image's glibc: add the parts of it they link against that the Java runtime does not.
for name in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libutil.so.1 libgcc_s.so.1; do
  # awk reads to the end: an early exit would stop ldconfig with SIGPIPE, which pipefail turns into a failure
  lib=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')
  [ -n "$lib" ] && [ ! -e "$root$lib" ] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp gpuop-cli/target/lib/*.jar "$root/opt/gpuop/lib/"
cp "$(ls gpuop-cli/target/gpuop-cli-*.jar | grep -v -- '-tests\.jar$' | head -1)" "$root/opt/gpuop/lib/"
mkdir -p "$root/opt/gpuop/bin"
# The CLI's class path, spelled out: an AOT cache holds the class path it was made with, and a wildcard is expanded in
# the order the directory lists its files, which differs between this machine's file system and a node's snapshot.
cli_cp=$(cd "$root/opt/gpuop/lib" && ls | LC_ALL=C sort | sed 's|^|/opt/gpuop/lib/|' | paste -sd:)
# The entry point: the node agent with its JVM flags and its own module's jars (bin/gpuop
# --print-node-agent-jvm-flags, --print-node-agent-classpath), every other command with the CLI's flags and all jars.
cat > "$root/opt/gpuop/bin/gpuop" <<SCRIPT
#!/bin/sh
if [ "\$1" = node-agent ]; then
  exec /opt/gpuop/jre/bin/java $(bin/gpuop --print-node-agent-jvm-flags) --enable-native-access=ALL-UNNAMED \\
    -cp '$(bin/gpuop --print-node-agent-classpath /opt/gpuop/lib)' dev.gpuop.cli.GpuopCommand "\$@"
fi
# the AOT cache below; GPUOP_AOT=require fails when the JVM cannot take it (as bin/gpuop), GPUOP_AOT=0 leaves it out
aot="-XX:AOTCache=/opt/gpuop/gpuop-cli.aot -Xlog:aot=off -Xlog:cds=off"
[ "\$GPUOP_AOT" = require ] && aot="-XX:AOTCache=/opt/gpuop/gpuop-cli.aot -XX:AOTMode=on"
[ "\$GPUOP_AOT" = 0 ] && aot=
exec /opt/gpuop/jre/bin/java $(bin/gpuop --print-cli-jvm-flags) \$aot --enable-native-access=ALL-UNNAMED \\
  -cp '$cli_cp' dev.gpuop.cli.GpuopCommand "\$@"
SCRIPT
# The operator Deployment runs /opt/gpuop/bin/operator: the same jars with the operator's heap (bin/gpuop
# --print-operator-jvm-flags) instead of the node agent's.
cat > "$root/opt/gpuop/bin/operator" <<SCRIPT
#!/bin/sh
exec /opt/gpuop/jre/bin/java $(bin/gpuop --print-operator-jvm-flags) --enable-native-access=ALL-UNNAMED \\
  -cp '/opt/gpuop/lib/*' dev.gpuop.cli.GpuopCommand operator "\$@"
SCRIPT
chmod 755 "$root/opt/gpuop/bin/gpuop" "$root/opt/gpuop/bin/operator"
# The CLI commands' ahead-of-time cache (bin/gpuop --make-aot-cache), trained inside the image's root, with its Java
# and at its final paths: a cache is only taken by the JVM that made it and for the same class path.
cli_java=(/opt/gpuop/jre/bin/java $(bin/gpuop --print-cli-jvm-flags) -Xlog:aot=error -Xlog:cds=error
  --enable-native-access=ALL-UNNAMED -cp "$cli_cp")
# The JVM takes a cache only while the jars keep the modification times they had when it was made, and the image's
# layer stores every file with time 0: the root gets those times before the training.
find "$root" -exec touch -h -d @0 {} +
# (the java launcher finds its libraries through /proc/self/exe)
mkdir -p "$root/proc" && mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
# (the training's lines, one per command and its exit code, are shown only when the cache is not written)
chroot "$root" "${cli_java[@]}" -XX:AOTMode=record -XX:AOTConfiguration=/tmp/gpuop-cli.aotconf \
  dev.gpuop.cli.AotTraining > /dev/null 2> target/image-aot-training.log || true
chroot "$root" "${cli_java[@]}" -XX:AOTMode=create -XX:AOTConfiguration=/tmp/gpuop-cli.aotconf \
  -XX:AOTCache=/opt/gpuop/gpuop-cli.aot > /dev/null 2>> target/image-aot-training.log || true
umount "$root/proc" && rmdir "$root/proc"
rm -rf "$root"/tmp/gpuop-cli.aotconf "$root"/tmp/gpuop-aot* "$root"/tmp/hsperf* 2>/dev/null || true
[ -f "$root/opt/gpuop/gpuop-cli.aot" ] || {
  echo "build-image: the AOT cache was not written:" >&2; cat target/image-aot-training.log >&2; exit 1; }
mkdir -p dist
MKIMAGE_ENV='["MALLOC_ARENA_MAX=2"]' bash testenv/images/mkimage.sh "$out" "$ref" "$root" '["/opt/gpuop/bin/gpuop"]' \
  '["--help"]'
du -h "$out"
