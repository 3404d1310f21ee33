#!/usr/bin/env bash
# What CI installs before scripts/test.sh: Debian's containerd (1.6) for the toolkit ITs, which start it as root in a
# temp dir. Idempotent: does nothing when a containerd is already on PATH. (containerd 2.x comes from testenv/.bin.)
set -euo pipefail
if command -v containerd >/dev/null 2>&1; then
  echo "ci-deps: $(containerd --version)"
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq containerd
echo "ci-deps: $(containerd --version)"
