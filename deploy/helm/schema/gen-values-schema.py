"""Writes deploy/helm/gpuop/values.schema.json: the types of gpuop's own values, and every key of NVIDIA's chart
that gpuop refuses, each refusal naming the key and why (deploy/helm/gpuop/README.md has the table of every key).

Helm validates values against the schema before it renders anything and lists every failure with its path. JSON
Schema has no messages of its own, so a refusal is written as a property the object would then have to have,
named "refused: KEY (WHY)": Helm prints `missing property 'refused: toolkit.repository (...)'`.
A refusal applies only when the key asks for something: a text, list or map that is not empty, a number, true
(NVIDIA's defaults of the same keys, empty or false, install). ADR 0013 says why.

python3 deploy/helm/schema/gen-values-schema.py  (NvidiaChartKeysIT and ValuesSchemaTest check the result)
"""
import json
import pathlib

# Helm escapes a quote in its message (\\'): the reasons have none
ONE_IMAGE = "one image runs the node agent parts: nodeAgent.*"
IN_AGENT = "this part runs in the node agent: use nodeAgent.*, daemonsets.*"
NO_CONFIGMAP = "the chart does not create the ConfigMap of the MIG manager: create it and name it in migManager.config.name"

# key -> why, refused when set (not empty, not false)
REFUSED_WHEN_SET = {}
for part in ("toolkit", "devicePlugin", "gfd", "dcgmExporter", "migManager"):
    for key in ("repository", "image", "version"):
        REFUSED_WHEN_SET[f"{part}.{key}"] = ONE_IMAGE
for part, keys in {"devicePlugin": ("args", "resources"), "gfd": ("env", "resources"),
                   "dcgmExporter": ("env", "resources", "podAnnotations", "podLabels", "config"),
                   "validator": ("args", "resources"), "migManager": ("env", "args", "resources")}.items():
    for key in keys:
        REFUSED_WHEN_SET[f"{part}.{key}"] = IN_AGENT
REFUSED_WHEN_SET["migManager.config.data"] = NO_CONFIGMAP
REFUSED_WHEN_SET["migManager.gpuClientsConfig.name"] = "the MIG manager checks every GPU process itself: no clients file"

# key -> why, refused when true
REFUSED_WHEN_TRUE = {
    "platform.openshift": "OpenShift is not supported",
    "psa.enabled": "pod security labels are not written yet",
    "sandboxWorkloads.enabled": "only container workloads are run (no VM passthrough, vGPU or Kata)",
    "operator.use_ocp_driver_toolkit": "OpenShift is not supported",
    "driver.nvidiaDriverCRD.enabled": "the NVIDIADriver CRD is not served",
    "driver.usePrecompiled": "precompiled driver images are not run",
    "driver.rdma.enabled": "GPUDirect RDMA is not set up",
    "dcgm.enabled": "no DCGM host engine: the node agent reads NVML itself",
    "dcgmExporter.hostPID": "the node agent's exporter reads no host processes",
    "nodeStatusExporter.enabled": "the node agent reports node state itself",
    "gds.enabled": "GPUDirect Storage is not set up",
    "gdrcopy.enabled": "GDRCopy is not set up",
    "vgpuManager.enabled": "vGPU hosts are not managed",
    "kataManager.enabled": "Kata is not managed",
    "ccManager.enabled": "confidential computing is not managed",
    "migManager.config.create": NO_CONFIGMAP,
}

BOOL = {"type": "boolean"}
TEXT = {"type": "string"}
LIST = {"type": "array"}
MAP = {"type": "object"}
ENV = {"type": "array", "items": {"type": "object", "required": ["name"],
                                  "properties": {"name": {"type": "string", "minLength": 1}}}}
# kept open where the operator names the allowed values itself (a status condition naming the field)
PULL = TEXT

# gpuop's own values and their types (deploy/helm/gpuop/values.yaml); NVIDIA's other keys stay open
TYPES = {
    "operator.defaultRuntime": TEXT, "operator.runtimeClass": TEXT, "operator.imagePullSecrets": LIST,
    "operator.resources": MAP, "operator.nodeSelector": MAP, "operator.tolerations": LIST, "operator.affinity": MAP,
    "operator.leaderElection": BOOL, "operator.logLevel": TEXT,
    "clusterPolicy.create": BOOL,
    "daemonsets.labels": MAP, "daemonsets.annotations": MAP, "daemonsets.tolerations": LIST,
    "daemonsets.priorityClassName": TEXT, "daemonsets.updateStrategy": TEXT,
    "daemonsets.rollingUpdate.maxUnavailable": {"type": ["string", "integer"]},
    "driver.enabled": BOOL, "driver.repository": TEXT, "driver.image": TEXT, "driver.version": TEXT,
    "driver.imagePullPolicy": PULL, "driver.imagePullSecrets": LIST, "driver.env": ENV, "driver.args": LIST,
    "driver.resources": MAP,
    "driver.upgradePolicy.autoUpgrade": BOOL,
    "driver.upgradePolicy.maxParallelUpgrades": {"type": "integer", "minimum": 0},
    "driver.upgradePolicy.maxUnavailable": {"type": ["string", "integer"]},
    "driver.upgradePolicy.waitForCompletion.timeoutSeconds": {"type": "integer", "minimum": 0},
    "driver.upgradePolicy.waitForCompletion.podSelector": TEXT,
    "driver.upgradePolicy.gpuPodDeletion.force": BOOL,
    "driver.upgradePolicy.gpuPodDeletion.timeoutSeconds": {"type": "integer", "minimum": 0},
    "driver.upgradePolicy.gpuPodDeletion.deleteEmptyDir": BOOL,
    "driver.upgradePolicy.drain.enable": BOOL, "driver.upgradePolicy.drain.force": BOOL,
    "driver.upgradePolicy.drain.podSelector": TEXT,
    "driver.upgradePolicy.drain.timeoutSeconds": {"type": "integer", "minimum": 0},
    "driver.upgradePolicy.drain.deleteEmptyDir": BOOL,
    "toolkit.enabled": BOOL, "toolkit.env": ENV, "toolkit.installDir": TEXT,
    "devicePlugin.enabled": BOOL, "devicePlugin.env": ENV, "devicePlugin.config.create": BOOL,
    "devicePlugin.config.name": TEXT, "devicePlugin.config.default": TEXT, "devicePlugin.config.data": MAP,
    "devicePlugin.mps.root": {"type": "string", "pattern": "^/."},
    "mig.strategy": TEXT,
    "cdi.enabled": BOOL, "cdi.default": BOOL,
    "gfd.enabled": BOOL,
    "dcgmExporter.enabled": BOOL, "dcgmExporter.serviceMonitor.enabled": BOOL,
    "dcgmExporter.serviceMonitor.interval": TEXT, "dcgmExporter.serviceMonitor.honorLabels": BOOL,
    "dcgmExporter.serviceMonitor.additionalLabels": MAP, "dcgmExporter.serviceMonitor.relabelings": LIST,
    "validator.repository": TEXT, "validator.image": TEXT, "validator.version": TEXT, "validator.env": ENV,
    "validator.driver.env": ENV, "validator.toolkit.env": ENV, "validator.cuda.env": ENV,
    "validator.plugin.env": ENV,
    "migManager.enabled": BOOL, "migManager.config.name": TEXT, "migManager.config.default": TEXT,
    "nfd.enabled": BOOL,
    "nodeAgent.repository": TEXT, "nodeAgent.image": TEXT, "nodeAgent.version": TEXT,
    "nodeAgent.imagePullPolicy": PULL, "nodeAgent.imagePullSecrets": LIST, "nodeAgent.env": ENV,
    "nodeAgent.args": LIST, "nodeAgent.resources": MAP,
}

UNSET = {"anyOf": [{"enum": ["", None, False, 0]}, {"type": "object", "maxProperties": 0},
                   {"type": "array", "maxItems": 0}]}


def node(root, path):
    """The schema of the object at path (a list of keys), made on the way."""
    for key in path:
        root.setdefault("type", "object")
        root = root.setdefault("properties", {}).setdefault(key, {})
    return root


# keys named otherwise in the refusal: NVIDIA's dcgmExporter.config is a map of three keys, refused as one
LABELS = {"dcgmExporter.config": "dcgmExporter.config.name, dcgmExporter.config.create, dcgmExporter.config.data"}


def refuse(root, key, asked, why):
    *parents, leaf = key.split(".")
    parent = node(root, parents)
    parent.setdefault("type", "object")
    parent.setdefault("allOf", []).append({
        "if": {"required": [leaf], "properties": {leaf: asked}},
        "then": {"required": [f"refused: {LABELS.get(key, key)} ({why})"]}})


def main():
    schema = {"$schema": "http://json-schema.org/draft-07/schema#",
              "title": "gpuop chart values",
              "description": "Generated by deploy/helm/schema/gen-values-schema.py: edit that, not this file.",
              "type": "object"}
    for key, t in TYPES.items():
        node(schema, key.split(".")).update(t)
    for key, why in REFUSED_WHEN_SET.items():
        refuse(schema, key, {"not": UNSET}, why)
    for key, why in REFUSED_WHEN_TRUE.items():
        refuse(schema, key, {"enum": [True, "true"]}, why)
    # NVIDIA's operator.image is a text; gpuop's is a map
    refuse(schema, "operator.image", {"not": {"type": "object"}},
           "operator.image must be a map {repository, tag, pullPolicy}, as in gpuop values.yaml, not a text")
    out = pathlib.Path(__file__).resolve().parents[1] / "gpuop" / "values.schema.json"
    out.write_text(json.dumps(schema, indent=2) + "\n")
    print(f"{out}: {len(TYPES)} typed keys, {len(REFUSED_WHEN_SET) + len(REFUSED_WHEN_TRUE)} refused")


if __name__ == "__main__":
    main()
