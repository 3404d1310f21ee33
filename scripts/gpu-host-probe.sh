#!/usr/bin/env bash
# Reads, on the GPU machine, what a one-node cluster there needs from its kernel and userland: cgroup v2 layout and
# delegation, netfilter (legacy and nf_tables), bridge and veth, overlayfs, and the driver's files. Changes nothing
# on the host except a throw-away network namespace and a cgroup it removes. Takes Debian packages from $1 (runc,
# CNI plugins, iptables and their libraries), unpacked into a temp root of their own.
set -uo pipefail
debs=${1:-dist/gpu-probe}
root=$(mktemp -d /var/tmp/gpuop-probe.XXXX)
for d in "$debs"/*.deb; do dpkg -x "$d" "$root"; done
export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
P=$root/usr/sbin:$root/sbin:$root/bin:$root/usr/bin
sec() { echo; echo "=== $*"; }
sec kernel; uname -a; cat /proc/cmdline
sec cgroups; mount | grep cgroup; cat /sys/fs/cgroup/cgroup.controllers; cat /sys/fs/cgroup/cgroup.subtree_control
cat /proc/self/cgroup; ls /sys/fs/cgroup | head -40
self=/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup); echo "self: $self"; cat "$self/cgroup.controllers" 2>&1
mkdir /sys/fs/cgroup/gpuop-probe && echo "made a top-level cgroup" && cat /sys/fs/cgroup/gpuop-probe/cgroup.controllers && rmdir /sys/fs/cgroup/gpuop-probe
sec filesystems; grep -E 'overlay|cgroup|tmpfs|squash' /proc/filesystems
sec "kernel config"; (zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null) |
  grep -E '^CONFIG_(BRIDGE|VETH|NETFILTER|NF_TABLES|NF_NAT|NF_CONNTRACK|IP_NF_|IP_VS|BRIDGE_NETFILTER|NETFILTER_XT_|OVERLAY_FS|CGROUP|BPF_SYSCALL|MODULES)[A-Z_]*=' | head -80
sec "netfilter in /proc"; ls /proc/net/ | tr '\n' ' '; echo; cat /proc/net/ip_tables_names 2>&1; ls /proc/sys/net/bridge /proc/sys/net/netfilter 2>&1 | head
ls /sys/module | tr '\n' ' '; echo
sec "iptables legacy and nft"
PATH=$P:$PATH xtables-legacy-multi iptables -L -n 2>&1 | head -5
PATH=$P:$PATH xtables-legacy-multi iptables -t nat -L -n 2>&1 | head -5
PATH=$P:$PATH xtables-nft-multi iptables -L -n 2>&1 | head -5
PATH=$P:$PATH xtables-nft-multi iptables -t nat -N GPUOP-PROBE 2>&1 && PATH=$P:$PATH xtables-nft-multi iptables -t nat -X GPUOP-PROBE && echo "nft nat chain: ok"
sec "bridge + veth + CNI in a throw-away netns"
unshare --net bash -c "
  busybox ip link add gpb0 type bridge && echo bridge ok
  busybox ip link add vpa type veth peer name vpb && echo veth ok
  echo 1 > /proc/sys/net/ipv4/ip_forward && echo forward ok
  ls /proc/sys/net/bridge 2>&1
  PATH=$P:\$PATH xtables-nft-multi iptables -t nat -A POSTROUTING -s 10.1.0.0/24 -j MASQUERADE && echo nft masquerade ok
  PATH=$P:\$PATH xtables-nft-multi iptables -t nat -A OUTPUT -d 10.96.0.1 -p tcp --dport 443 -j DNAT --to-destination 10.1.0.1:6443 && echo nft dnat ok
  PATH=$P:\$PATH xtables-legacy-multi iptables -t nat -A OUTPUT -d 10.96.0.1 -p tcp --dport 443 -j DNAT --to-destination 10.1.0.1:6443 && echo legacy dnat ok
  PATH=$P:\$PATH xtables-nft-multi iptables -A INPUT -m conntrack --ctstate INVALID -j DROP && echo conntrack match ok
  PATH=$P:\$PATH xtables-nft-multi iptables -A INPUT -m comment --comment x -m statistic --mode random --probability 0.5 -j ACCEPT && echo statistic ok
"
sec "runc"; PATH=$P:$PATH runc --version 2>&1; ldd "$root/usr/sbin/runc" 2>&1 | grep -i 'not found'
sec "driver"; ls -la /usr/local/nvidia /usr/local/nvidia/lib64 | head -60; ldconfig -p | grep -E 'nvidia-ml|libcuda\.' ; cat /etc/ld.so.conf.d/* 2>&1
ls -la /dev/nvidia* /dev/char 2>&1 | head; cat /proc/driver/nvidia/version; grep -c . /proc/modules; grep -E 'nvidia' /proc/modules
sec "userland"; cat /etc/os-release | head -3; ldd --version | head -1; which nvcc gcc python3 ip ss mount unshare nsenter setsid xz zstd tar openssl curl 2>&1
df -h / /var/tmp /tmp | cat; free -g
sec "nvidia-smi"; nvidia-smi -L; nvidia-smi --query-gpu=mig.mode.current,persistence_mode --format=csv
rm -rf "$root"
