#!/usr/bin/env bash
# Builds a single-layer OCI image archive (oci-layout + index.json + blobs) by hand,
# without a registry or a container engine, reproducibly (fixed mtimes, owners).
#
#   mkimage.sh OUT.tar IMAGE_REF ROOTFS_DIR ENTRYPOINT_JSON [CMD_JSON]
#
# e.g. mkimage.sh busybox.tar docker.io/library/busybox:1.35 ./rootfs '["/bin/sh"]'
# The archive imports with `ctr -n k8s.io images import OUT.tar`; the image is named
# by the index annotation io.containerd.image.name. MKIMAGE_ENV (a JSON list of "K=V")
# adds environment variables to the image config; a PATH there replaces the default one.
set -euo pipefail

out=$1 ref=$2 rootfs=$3 entrypoint=$4 cmd=${5:-null}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
put() { # put FILE -> prints digest hex, moves FILE into blobs
	local d; d=$(sha "$1"); mv "$1" "$work/blobs/sha256/$d"; echo "$d"
}

# Layer: uncompressed tar, deterministic.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	-C "$rootfs" -cf "$work/layer.tar" .
layer_size=$(size "$work/layer.tar")
layer=$(put "$work/layer.tar")

extra_env=${MKIMAGE_ENV:-[]}
extra_env=${extra_env#[}
extra_env=${extra_env%]}
# the default PATH unless MKIMAGE_ENV sets one (CUDA images add /usr/local/nvidia/bin)
env='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
[[ $extra_env == *'"PATH='* ]] && env=$extra_env || env+=${extra_env:+,$extra_env}
printf '{"architecture":"amd64","os":"linux","config":{"Env":[%s],"Entrypoint":%s,"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"gpuop testenv mkimage.sh"}]}' \
	"$env" "$entrypoint" "$cmd" "$layer" >"$work/config.json"
config_size=$(size "$work/config.json")
config=$(put "$work/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
	"$config" "$config_size" "$layer" "$layer_size" >"$work/manifest.json"
manifest_size=$(size "$work/manifest.json")
manifest=$(put "$work/manifest.json")

tag=${ref##*:}
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
	"$manifest" "$manifest_size" "$ref" "$tag" >"$work/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	-C "$work" -cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
echo "$out: $ref (manifest sha256:$manifest)"
