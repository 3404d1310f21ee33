#!/usr/bin/env python3
"""The Allocate answers a real kubelet kept, read from its device manager checkpoint.

The kubelet stores each container's ContainerAllocateResponse (deviceplugin v1beta1) as protobuf bytes, base64 in the
JSON of /var/lib/kubelet/device-plugins/kubelet_internal_checkpoint (PodDeviceEntries[].AllocResp). This prints, for
every entry of the given resource, the devices it was given and the response decoded field by field as JSON, so the
answers of two device plugins can be compared as the kubelet received them (bench: gpu-e2e.sh scenario `plugins`).

    kubelet_checkpoint.py CHECKPOINT [RESOURCE]

No protobuf library on the GPU machine: the five fields of ContainerAllocateResponse are decoded by hand.
"""
import base64
import json
import sys


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def fields(buf):
    """(field number, bytes or int) of one message; only the wire types ContainerAllocateResponse uses."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 2:
            n, i = varint(buf, i)
            yield number, buf[i:i + n]
            i += n
        elif wire == 0:
            v, i = varint(buf, i)
            yield number, v
        else:
            raise ValueError(f"wire type {wire} of field {number} is not in ContainerAllocateResponse")


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def message(buf, names):
    out = {}
    for number, v in fields(buf):
        out[names.get(number, str(number))] = text(v) if not isinstance(v, int) else bool(v)
    return out


def pair(buf):
    m = dict(fields(buf))
    return text(m.get(1, b"")), text(m.get(2, b""))


def allocate_response(buf):
    resp = {"envs": {}, "mounts": [], "devices": [], "annotations": {}, "cdi_devices": []}
    for number, v in fields(buf):
        if number == 1:
            k, val = pair(v)
            resp["envs"][k] = val
        elif number == 2:
            resp["mounts"].append(message(v, {1: "container_path", 2: "host_path", 3: "read_only"}))
        elif number == 3:
            resp["devices"].append(message(v, {1: "container_path", 2: "host_path", 3: "permissions"}))
        elif number == 4:
            k, val = pair(v)
            resp["annotations"][k] = val
        elif number == 5:
            resp["cdi_devices"].append(message(v, {1: "name"}))
        else:
            resp[f"unknown field {number}"] = repr(v)
    return resp


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip())
    path = sys.argv[1]
    resource = sys.argv[2] if len(sys.argv) > 2 else "nvidia.com/gpu"
    with open(path) as f:
        data = json.load(f)["Data"]
    entries = [e for e in data.get("PodDeviceEntries") or [] if e.get("ResourceName") == resource]
    if not entries:
        sys.exit(f"{path}: no PodDeviceEntries for {resource}")
    for e in entries:
        raw = base64.b64decode(e.get("AllocResp") or "")
        print(json.dumps({"pod": e.get("PodUID"), "container": e.get("ContainerName"), "devices": e.get("DeviceIDs"),
                          "response": allocate_response(raw), "response_bytes": len(raw)}, sort_keys=True))


if __name__ == "__main__":
    main()
