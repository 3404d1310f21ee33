package dev.gpuop.operator.model;

import dev.gpuop.gpu.host.Distribution;
import java.util.Map;

/**
 * One GPU node as the operator sees it.
 *
 * @param name the node
 * @param labels its labels now
 * @param distribution who runs its containerd
 * @param containerRuntime {@code containerd://2.1.4} as the kubelet reports it
 * @param osImage {@code Ubuntu 24.04.1 LTS}
 * @param kernel the kernel version
 * @param driver the node agent's report on the driver
 * @param agent the node agent's own state
 * @param agentReason why the agent is not ready (empty when ready or unknown)
 * @param validation the agent's node checks: {@code passed}, the first failed stage and why, or empty
 */
public record GpuNode(String name, Map<String, String> labels, Distribution distribution, String containerRuntime,
                      String osImage, String kernel, DriverState driver, AgentState agent, String agentReason,
                      String validation) {

    public GpuNode {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The runtime's name before {@code ://}: containerd, cri-o or docker. */
    public String runtimeName() {
        int i = containerRuntime == null ? -1 : containerRuntime.indexOf("://");
        return i < 0 ? "unknown" : containerRuntime.substring(0, i);
    }

    /**
     * NVIDIA's rule: the feature label {@code nvidia.com/mig.capable=true}, or when that is absent a product name
     * with A100, A30 or H100 in it.
     */
    public boolean migCapable() {
        String capable = labels.get(NodeLabels.MIG_CAPABLE);
        if (capable != null) {
            return capable.equals("true");
        }
        String product = labels.getOrDefault(NodeLabels.GPU_PRODUCT, "").toLowerCase(java.util.Locale.ROOT);
        return product.contains("a100") || product.contains("a30") || product.contains("h100");
    }

    /** A label's value, or null. */
    public String label(String key) {
        return labels.get(key);
    }

    /** The node agent's state as it writes it on the node. */
    public enum AgentState {
        /** The agent reported ready. */
        READY,
        /** The agent reported not ready; {@code agentReason} says why. */
        NOT_READY,
        /** No report yet. */
        ABSENT
    }
}
