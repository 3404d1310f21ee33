#!/usr/bin/env python3
"""Times a policy change from the API server's own stream of events, not by polling.

Usage: policy_change_timer.py KUBECTL POLICY_PATH NAME NAMESPACE DS_REGEX VAR VALUE -- PATCH_COMMAND...

Lists the policy (POLICY_PATH, e.g. /apis/gpuop.dev/v1alpha1/clusterpolicies, the object NAME) and the DaemonSets
of NAMESPACE, opens a watch on each from the resource version of its list (so no event between the list and the
patch is missed), runs PATCH_COMMAND, then prints the seconds from the event of the policy's new generation to the
event after which every matching DaemonSet (DS_REGEX; with an empty regex, every DaemonSet that carries VAR, at
least one) has VAR=VALUE in its pod template. Both ends are arrival times of events on two watches of the same
kind, so what kubectl's start and a list of DaemonSets cost (the old polling's 0.2 s floor) is in neither.
A patch straight into a DaemonSet (POLICY_PATH the DaemonSets' own) times the harness's floor: the same two events.
"""
import json
import queue
import re
import subprocess
import sys
import threading
import time


def get(kubectl, path):
    return json.loads(subprocess.run([kubectl, "get", "--raw", path], check=True, capture_output=True).stdout)


def watch(kubectl, path, rv, tag, events, procs):
    sep = "&" if "?" in path else "?"
    proc = subprocess.Popen([kubectl, "get", "--raw", f"{path}{sep}watch=1&resourceVersion={rv}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    procs.append(proc)

    def pump():
        for line in iter(proc.stdout.readline, b""):
            events.put((time.monotonic(), tag, json.loads(line)))

    threading.Thread(target=pump, daemon=True).start()


def env_value(ds, var):
    spec = ds["spec"]["template"]["spec"]
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        for e in c.get("env", []):
            if e["name"] == var:
                return e.get("value", "")
    return None


def main():
    split = sys.argv.index("--")
    kubectl, policy_path, name, ns, regex, var, value = sys.argv[1:split]
    patch = sys.argv[split + 1:]
    want = re.compile(regex)
    policies = get(kubectl, policy_path)
    policy = next(p for p in policies["items"] if p["metadata"]["name"] == name)
    generation = policy["metadata"].get("generation", 0)
    ds_path = f"/apis/apps/v1/namespaces/{ns}/daemonsets"
    daemon_sets = get(kubectl, ds_path)
    values = {d["metadata"]["name"]: env_value(d, var) for d in daemon_sets["items"]
              if want.search(d["metadata"]["name"])}
    events, procs = queue.Queue(), []
    watch(kubectl, f"{policy_path}?fieldSelector=metadata.name%3D{name}", policies["metadata"]["resourceVersion"],
          "policy", events, procs)
    watch(kubectl, ds_path, daemon_sets["metadata"]["resourceVersion"], "ds", events, procs)
    started = time.monotonic()
    subprocess.run(patch, check=True, stdout=subprocess.DEVNULL)
    t0 = None
    done_at = None
    deadline = started + 300
    try:
        while t0 is None or done_at is None:
            at, tag, event = events.get(timeout=max(0.1, deadline - time.monotonic()))
            obj = event.get("object", {})
            meta = obj.get("metadata", {})
            if tag == "policy" and t0 is None and meta.get("generation", 0) > generation:
                t0 = at
            elif tag == "ds" and want.search(meta.get("name", "")):
                if event["type"] == "DELETED":
                    values.pop(meta["name"], None)
                else:
                    values[meta["name"]] = env_value(obj, var)
                carrying = [v for v in values.values() if v is not None or regex]
                if not carrying or any(v != value for v in carrying):
                    done_at = None
                elif done_at is None:
                    done_at = at
    except queue.Empty:
        print("timeout", values, file=sys.stderr)
        print("timeout")
        return
    finally:
        for p in procs:
            p.kill()
    print(f"{max(0.0, done_at - t0):.3f}")


if __name__ == "__main__":
    main()
