package dev.gpuop.operator.model;

import dev.gpuop.gpu.host.Distribution;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Node objects into a {@link ClusterInfo}. Pure: the controller hands it its informer's nodes, {@code gpuop
 * render} the nodes of a file, so both see the cluster the same way.
 */
public final class ClusterInfoObserver {

    private ClusterInfoObserver() {
    }

    /** Observes the nodes. */
    public static ClusterInfo observe(Collection<Node> nodes) {
        List<GpuNode> gpu = new ArrayList<>();
        Map<String, Map<String, String>> former = new HashMap<>();
        boolean nfd = false;
        for (Node n : nodes) {
            Map<String, String> labels = labels(n);
            nfd |= labels.keySet().stream().anyMatch(k -> k.startsWith(NodeLabels.NFD_PREFIX));
            if (isGpuNode(labels)) {
                gpu.add(gpuNode(n, labels));
            } else if (labels.keySet().stream().anyMatch(ClusterInfoObserver::isOurs)) {
                former.put(n.getMetadata().getName(), labels);
            }
        }
        gpu.sort(Comparator.comparing(GpuNode::name));
        return new ClusterInfo(gpu, nodes.size(), nfd, former);
    }

    /**
     * A GPU node has an NFD NVIDIA PCI label set to true, or {@code nvidia.com/gpu.present=true} (from the node
     * agent's PCI scan or a user). {@code nvidia.com/gpu.present=false} set by a user wins over NFD.
     */
    public static boolean isGpuNode(Map<String, String> labels) {
        String present = labels.get(NodeLabels.GPU_PRESENT);
        if ("false".equals(present)) {
            return false;
        }
        return "true".equals(present) || NodeLabels.NFD_GPU_LABELS.stream().anyMatch(k -> "true".equals(
            labels.get(k)));
    }

    /** Labels the operator writes on GPU nodes (the deploy switch {@code operands} is the user's). */
    static boolean isOurs(String key) {
        return key.startsWith(NodeLabels.DEPLOY_PREFIX) && !key.equals(NodeLabels.DEPLOY_OPERANDS)
            || key.equals(NodeLabels.DISTRIBUTION);
    }

    static GpuNode gpuNode(Node n, Map<String, String> labels) {
        Map<String, String> ann = n.getMetadata().getAnnotations() == null ? Map.of()
            : n.getMetadata().getAnnotations();
        NodeSystemInfo info = n.getStatus() == null ? null : n.getStatus().getNodeInfo();
        DriverState driver = switch (ann.getOrDefault(NodeLabels.AGENT_DRIVER_PREINSTALLED, "")) {
            case "true" -> DriverState.PREINSTALLED;
            case "false" -> DriverState.ABSENT;
            default -> DriverState.UNKNOWN;
        };
        GpuNode.AgentState agent = switch (ann.getOrDefault(NodeLabels.AGENT_STATE, "")) {
            case "ready" -> GpuNode.AgentState.READY;
            case "notReady" -> GpuNode.AgentState.NOT_READY;
            default -> GpuNode.AgentState.ABSENT;
        };
        return new GpuNode(n.getMetadata().getName(), labels,
            Distribution.fromKubeletVersion(info == null ? null : info.getKubeletVersion()),
            info == null ? null : info.getContainerRuntimeVersion(), info == null ? null : info.getOsImage(),
            info == null ? null : info.getKernelVersion(), driver, agent,
            ann.getOrDefault(NodeLabels.AGENT_REASON, ""), ann.getOrDefault(NodeLabels.AGENT_VALIDATION, ""));
    }

    private static Map<String, String> labels(Node n) {
        return n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
    }
}
