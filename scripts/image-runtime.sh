#!/usr/bin/env bash
# Makes the Java runtime of gpuop's image with jlink into DIR (default target/image-jre): scripts/build-image.sh puts
# it in the image, and bench/node-agent-memory.sh measures the node agent on it, so that both see the same JVM.
# Jackson names java.desktop and java.sql only as optional; jdk.jfr is JUnit's. TLS to the API server needs
# jdk.crypto.ec; the operator's fabric8 client and the agent's two API calls speak java.net.http; the agent's
# /healthz is jdk.httpserver.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
out=${1:-target/image-jre}
rm -rf "$out"
mkdir -p "$(dirname "$out")"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.xml,java.management,java.naming,java.net.http,jdk.httpserver,jdk.unsupported,jdk.zipfs,jdk.crypto.ec \
  --strip-debug --no-man-pages --no-header-files --compress zip-9 --output "$out"
# the default class-data archive of this runtime, as the JDK's own has one
"$out/bin/java" -Xshare:dump > /dev/null 2>&1 || true
