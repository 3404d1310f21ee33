package dev.gpuop.operator.model;

import java.util.List;

/** Label and annotation keys on nodes: NVIDIA's where tools depend on them, {@code gpuop.dev/} for our own. */
public final class NodeLabels {

    /** A GPU node (set by us, by NFD rules, by the node agent's PCI scan, or by a user). */
    public static final String GPU_PRESENT = "nvidia.com/gpu.present";
    /** NFD's PCI labels for NVIDIA devices (vendor 10de), any of which marks a GPU node. */
    public static final List<String> NFD_GPU_LABELS = List.of("feature.node.kubernetes.io/pci-10de.present",
        "feature.node.kubernetes.io/pci-0302_10de.present", "feature.node.kubernetes.io/pci-0300_10de.present");
    /** The prefix every NFD label has. */
    public static final String NFD_PREFIX = "feature.node.kubernetes.io/";
    /** {@code nvidia.com/gpu.deploy.<operand>}: which operands may run on a node. */
    public static final String DEPLOY_PREFIX = "nvidia.com/gpu.deploy.";
    /** {@code false} takes every operand off the node. */
    public static final String DEPLOY_OPERANDS = DEPLOY_PREFIX + "operands";
    /** The driver's deploy label value for a node with its own driver (NVIDIA's k8s-driver-manager writes it). */
    public static final String PRE_INSTALLED = "pre-installed";
    /** Feature labels read for MIG capability. */
    public static final String MIG_CAPABLE = "nvidia.com/mig.capable";
    /** The GPU's product name (feature label). */
    public static final String GPU_PRODUCT = "nvidia.com/gpu.product";
    /** The MIG layout mig-manager applies. */
    public static final String MIG_CONFIG = "nvidia.com/mig.config";
    /** Which node-agent DaemonSet serves the node: its containerd's distribution. */
    public static final String DISTRIBUTION = "gpuop.dev/distribution";

    /** Annotations the node agent writes (see the node agent's NodeReport). */
    public static final String AGENT_DRIVER_PREINSTALLED = "gpuop.dev/driver-preinstalled";
    /** The node agent's state: {@code ready} or {@code notReady}. */
    public static final String AGENT_STATE = "gpuop.dev/node-agent-state";
    /** Why the node agent is not ready. */
    public static final String AGENT_REASON = "gpuop.dev/node-agent-reason";
    /** The node agent's checks (NVIDIA's validator stages): {@code passed} or {@code <stage>: <why>}. */
    public static final String AGENT_VALIDATION = "gpuop.dev/validation";

    private NodeLabels() {
    }

    /** The deploy label of an operand. */
    public static String deploy(String operand) {
        return DEPLOY_PREFIX + operand;
    }
}
